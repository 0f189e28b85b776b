"""Tests of the rule variants in model/rules/variants/ (written by ``coprod new-rule``)."""
