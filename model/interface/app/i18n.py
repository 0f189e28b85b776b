# ruff: noqa: E501  (translations are kept one per line, however long)
"""Every label of the interface in English and German, and number and date formats.

Facilitators present in German; researchers often in English. ``t(key, lang)`` looks a label
up; a missing key is an error in the tests (``tests/test_app.py``), never a silent blank.
"""

from __future__ import annotations

LANGUAGES = ("de", "en")

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "de": ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
}

TEXT: dict[str, dict[str, str]] = {
    "title": {
        "en": "coprod — city and citizens together",
        "de": "coprod — Stadt und Bürgerschaft gemeinsam",
    },
    "language": {"en": "Sprache / Language", "de": "Sprache / Language"},
    "scenario": {"en": "Scenario", "de": "Szenario"},
    "citizens": {
        "en": "Simulated residents (more: slower, finer)",
        "de": "Simulierte Einwohner:innen (mehr: langsamer, feiner)",
    },
    "seed": {"en": "Seed (random numbers)", "de": "Zufallszahl (Seed)"},
    "play": {"en": "Play", "de": "Start"},
    "pause": {"en": "Pause", "de": "Pause"},
    "step": {"en": "One month", "de": "Ein Monat"},
    "reset": {"en": "Reset", "de": "Neu starten"},
    "presentation": {"en": "Presentation mode", "de": "Präsentationsmodus"},
    "levers": {
        "en": "Policy levers (change them while it runs)",
        "de": "Stellschrauben (auch während des Laufs)",
    },
    "timing": {"en": "When citizens take part", "de": "Wann Bürger:innen beteiligt werden"},
    "timing_early": {"en": "early (goals still open)", "de": "früh (Ziele noch offen)"},
    "timing_late": {"en": "late (after the decision)", "de": "spät (nach der Entscheidung)"},
    "rung": {"en": "Influence (rung)", "de": "Einfluss (Stufe)"},
    "rung_inform": {"en": "inform", "de": "informieren"},
    "rung_consult": {"en": "consult", "de": "konsultieren"},
    "rung_co_design": {"en": "co-design", "de": "mitgestalten"},
    "rung_co_decide": {"en": "co-decide", "de": "mitentscheiden"},
    "formats": {"en": "Formats", "de": "Formate"},
    "format_open_consultation": {"en": "open consultation", "de": "offene Konsultation"},
    "format_actor_forum": {"en": "broad actor forum", "de": "breites Akteursforum"},
    "format_citizens_assembly": {"en": "citizens' assembly", "de": "Bürgerrat"},
    "outreach": {"en": "Outreach to silent groups", "de": "Aufsuchende Ansprache stiller Gruppen"},
    "agency_budget": {"en": "Volunteer agencies", "de": "Freiwilligenagenturen"},
    "office_budget": {"en": "Participation office", "de": "Beteiligungsbüro"},
    "outreach_budget": {"en": "Outreach staff", "de": "Aufsuchende Arbeit"},
    "training_budget": {"en": "Administrative training", "de": "Qualifizierung der Verwaltung"},
    "per_year": {"en": "per year", "de": "pro Jahr"},
    "on": {"en": "on", "de": "an"},
    "off": {"en": "off", "de": "aus"},
    "leadership": {"en": "Leadership", "de": "Führung"},
    "style_annual_praise": {"en": "annual praise", "de": "einmal im Jahr loben"},
    "style_everyday_cooperation": {"en": "everyday cooperation", "de": "Zusammenarbeit im Alltag"},
    "responsiveness": {
        "en": "Administration takes up proposals",
        "de": "Verwaltung greift Vorschläge auf",
    },
    "of_proposals": {"en": "{share} of proposals", "de": "{share} der Vorschläge"},
    "speed": {"en": "Speed: months per step", "de": "Tempo: Monate pro Schritt"},
    "already": {
        "en": "Already done this month: repeated clicks count once.",
        "de": "In diesem Monat schon geschehen: wiederholte Klicks zählen einmal.",
    },
    "reference_choice": {"en": "Faint line: compare with", "de": "Blasse Linie: Vergleich mit"},
    "reference_self": {
        "en": "this scenario without your changes",
        "de": "diesem Szenario ohne Ihre Änderungen",
    },
    "reference_answers": {
        "en": "answers the scenario's question",
        "de": "beantwortet die Frage des Szenarios",
    },
    "reference_named": {"en": "compared with: {title}", "de": "Vergleich: {title}"},
    "scenario_events": {"en": "Scenario events", "de": "Ereignisse des Szenarios"},
    "reference_short_caption": {"en": "Faint line", "de": "Blasse Linie"},
    "points": {"en": "percentage points", "de": "Prozentpunkte"},
    "band_pending": {
        "en": "Runs with other random numbers are being computed, to show how sure the lines are …",
        "de": "Läufe mit anderen Zufallszahlen werden berechnet, um zu zeigen, wie sicher die Linien sind …",
    },
    "band_ready": {
        "en": "Shaded: where 80% of {n} runs with other random numbers lie (grey: the faint line, coloured: this scenario without your changes).",
        "de": "Schattiert: wo 80 % von {n} Läufen mit anderen Zufallszahlen liegen (grau: die blasse Linie, farbig: dieses Szenario ohne Ihre Änderungen).",
    },
    "band_self": {
        "en": "How sure? With other random numbers, the faint line ({indicator}) would now lie between {low} and {high} (80% of {n} runs; shaded). A change of yours that stays inside this range may be chance.",
        "de": "Wie sicher? Mit anderen Zufallszahlen läge die blasse Linie ({indicator}) jetzt zwischen {low} und {high} (80 % von {n} Läufen; schattiert). Eine Änderung, die innerhalb dieser Spanne bleibt, kann Zufall sein.",
    },
    "band_answer": {
        "en": "The answer over {n} random numbers: “{scenario}” (without your changes) differs from “{reference}” in {indicator} by {diff} on average now (90% interval {low} to {high}): {verdict}.",
        "de": "Die Antwort über {n} Zufallszahlen: „{scenario}“ (ohne Ihre Änderungen) unterscheidet sich von „{reference}“ bei „{indicator}“ jetzt im Mittel um {diff} (90-%-Intervall {low} bis {high}): {verdict}.",
    },
    "beyond_chance": {"en": "more than chance", "de": "mehr als Zufall"},
    "within_chance": {
        "en": "not distinguishable from chance",
        "de": "nicht vom Zufall zu unterscheiden",
    },
    "view_gradient": {"en": "Who is engaged", "de": "Wer sich engagiert"},
    "view_network": {"en": "Network", "de": "Netzwerk"},
    "view_trust": {"en": "Trust", "de": "Vertrauen"},
    "view_challenges": {"en": "Challenges", "de": "Herausforderungen"},
    "view_where": {"en": "Where people volunteer", "de": "Wo sich Menschen engagieren"},
    "view_costs": {"en": "Costs", "de": "Kosten"},
    "interventions": {"en": "Interventions now", "de": "Jetzt eingreifen"},
    "do_assembly": {
        "en": "Citizens' assembly on the climate plan",
        "de": "Bürgerrat zum Klimaplan",
    },
    "do_fund_agency": {
        "en": "Fund the volunteer agency (×2)",
        "de": "Freiwilligenagentur stärken (×2)",
    },
    "do_cut_budget": {"en": "Cut the budget (−50%)", "de": "Budget kürzen (−50 %)"},
    "export": {"en": "Export", "de": "Export"},
    "export_csv": {"en": "Indicators (CSV)", "de": "Indikatoren (CSV)"},
    "export_png": {"en": "Charts (PNG)", "de": "Grafiken (PNG)"},
    "live": {"en": "with your changes", "de": "mit Ihren Änderungen"},
    "counterfactual": {
        "en": "without changes (what would have happened)",
        "de": "ohne Änderungen (was sonst passiert wäre)",
    },
    "survey": {"en": "volunteer survey", "de": "Freiwilligensurvey"},
    "reference_short": {"en": "without your changes", "de": "ohne Ihre Änderungen"},
    "chart_gradient": {
        "en": "Who is engaged? Share engaged by education",
        "de": "Wer engagiert sich? Anteil Engagierter nach Bildung",
    },
    "chart_trust": {"en": "Trust and efficacy", "de": "Vertrauen und Selbstwirksamkeit"},
    "chart_challenges": {
        "en": "The city's five challenges",
        "de": "Die fünf Herausforderungen der Stadt",
    },
    "chart_network": {"en": "The citizens' network", "de": "Das Netzwerk der Bürger:innen"},
    "chart_where": {
        "en": "Where the engaged are, what it costs",
        "de": "Wo sich Menschen engagieren, was es kostet",
    },
    "explain_gradient": {
        "en": "Each line is the share of people who volunteer, by education. Diamonds mark the German volunteering survey. Faint lines: the chosen comparison (at first the same city without your changes). If the lines move apart, your measures make the difference.",
        "de": "Jede Linie zeigt, wie viele Menschen sich freiwillig engagieren, nach Bildungsabschluss. Rauten: Freiwilligensurvey. Blasse Linien: der gewählte Vergleich (zu Beginn dieselbe Stadt ohne Ihre Änderungen). Gehen die Linien auseinander, machen Ihre Maßnahmen den Unterschied.",
    },
    "explain_trust": {
        "en": "Trust: how far citizens trust the administration. Efficacy: how far they feel they can make a difference. Both grow when participation has visible influence and shrink after broken promises.",
        "de": "Vertrauen: wie sehr Bürger:innen der Verwaltung vertrauen. Selbstwirksamkeit: wie sehr sie glauben, etwas bewirken zu können. Beides wächst, wenn Beteiligung sichtbar wirkt, und sinkt nach gebrochenen Versprechen.",
    },
    "explain_challenges": {
        "en": "Co-produced hours move the city's challenges. Climate: progress toward neutrality (1 = neutral, target 2035). Illustrative magnitudes, not forecasts.",
        "de": "Gemeinsam geleistete Stunden bewegen die Herausforderungen der Stadt. Klima: Fortschritt zur Klimaneutralität (1 = neutral, Ziel 2035). Größenordnungen zur Veranschaulichung, keine Prognose.",
    },
    "explain_network": {
        "en": "Each dot is a citizen, lines are acquaintances. Colour: engagement state. Ringed dots belong to silent groups, who are rarely asked.",
        "de": "Jeder Punkt ist eine Person, Linien sind Bekanntschaften. Farbe: Engagement. Umrandete Punkte gehören zu stillen Gruppen, die selten gefragt werden.",
    },
    "explain_where": {
        "en": "Left: how many volunteers each kind of organisation holds. Right: what all levers have cost so far (support infrastructure and participation processes); dashed: without your changes.",
        "de": "Links: wie viele Engagierte in welcher Art Organisation aktiv sind. Rechts: was alle Maßnahmen bisher gekostet haben (Unterstützungsstruktur und Beteiligungsverfahren); gestrichelt: ohne Ihre Änderungen.",
    },
    "state_inactive": {"en": "not engaged", "de": "nicht engagiert"},
    "state_open": {"en": "open to engage", "de": "offen für Engagement"},
    "state_engaged": {"en": "engaged", "de": "engagiert"},
    "state_exhausted": {"en": "exhausted", "de": "erschöpft"},
    "silent": {"en": "silent group", "de": "stille Gruppe"},
    "edu_low": {"en": "formal education: low", "de": "formale Bildung: niedrig"},
    "edu_mid": {"en": "formal education: middle", "de": "formale Bildung: mittel"},
    "edu_high": {"en": "formal education: high", "de": "formale Bildung: hoch"},
    "all_citizens": {"en": "all", "de": "alle"},
    "group_education": {"en": "by formal education", "de": "nach formaler Bildung"},
    "group_age": {"en": "by age", "de": "nach Alter"},
    "group_migration": {"en": "migration background", "de": "Migrationsgeschichte"},
    "group_silent": {"en": "silent groups", "de": "stille Gruppen"},
    "chart_gradient_age": {
        "en": "Who is engaged? Share engaged by age",
        "de": "Wer engagiert sich? Anteil Engagierter nach Alter",
    },
    "chart_gradient_migration": {
        "en": "Who is engaged? Residents with a migration background",
        "de": "Wer engagiert sich? Menschen mit Migrationsgeschichte",
    },
    "chart_gradient_silent": {
        "en": "Who is engaged? The silent groups",
        "de": "Wer engagiert sich? Die stillen Gruppen",
    },
    "explain_gradient_age": {
        "en": "Each line is the share of people who volunteer, by age; black: everyone. The diamond marks the German volunteering survey. Faint lines: the chosen comparison (at first the same city without your changes).",
        "de": "Jede Linie zeigt, wie viele Menschen sich freiwillig engagieren, nach Alter; schwarz: alle. Raute: Freiwilligensurvey. Blasse Linien: der gewählte Vergleich (zu Beginn dieselbe Stadt ohne Ihre Änderungen).",
    },
    "explain_gradient_migration": {
        "en": "Share of people with a migration background who volunteer, against everyone (black). Diamonds mark the German volunteering survey. Faint lines: the chosen comparison (at first the same city without your changes).",
        "de": "Wie viele Menschen mit Migrationsgeschichte sich freiwillig engagieren, im Vergleich zu allen (schwarz). Rauten: Freiwilligensurvey. Blasse Linien: der gewählte Vergleich (zu Beginn dieselbe Stadt ohne Ihre Änderungen).",
    },
    "explain_gradient_silent": {
        "en": "Silent groups: people with at least two of low formal education, a migration background, age 75 and over, few acquaintances; they are rarely asked. Their share who volunteer, against everyone (black). Faint lines: the chosen comparison (at first the same city without your changes).",
        "de": "Stille Gruppen: Menschen mit mindestens zwei von niedriger formaler Bildung, Migrationsgeschichte, 75 Jahren und mehr, wenigen Bekannten; sie werden selten gefragt. Wie viele von ihnen sich engagieren, im Vergleich zu allen (schwarz). Blasse Linien: der gewählte Vergleich (zu Beginn dieselbe Stadt ohne Ihre Änderungen).",
    },
    "age_14_29": {"en": "aged 14–29", "de": "14–29 Jahre"},
    "age_30_49": {"en": "aged 30–49", "de": "30–49 Jahre"},
    "age_50_64": {"en": "aged 50–64", "de": "50–64 Jahre"},
    "age_65_74": {"en": "aged 65–74", "de": "65–74 Jahre"},
    "age_75_plus": {"en": "aged 75 and over", "de": "75 Jahre und älter"},
    "migration": {"en": "with a migration background", "de": "mit Migrationsgeschichte"},
    "silent_groups": {"en": "silent groups", "de": "stille Gruppen"},
    "chart_costs": {
        "en": "What the levers have cost so far",
        "de": "Was die Maßnahmen bisher gekostet haben",
    },
    "explain_costs": {
        "en": "What each lever has cost since the start, in million euros: solid with your changes, faint without. Below: the total, and what each additional engaged resident has cost (extra cost over additional engaged residents; per year as in the analysis report).",
        "de": "Was jede Maßnahme seit Beginn gekostet hat, in Millionen Euro: kräftig mit Ihren Änderungen, blass ohne. Darunter: die Summe und was jede zusätzlich engagierte Person gekostet hat (Mehrkosten geteilt durch zusätzlich Engagierte; pro Jahr wie im Auswertungsbericht).",
    },
    "cost_volunteer_agency": {"en": "volunteer agencies", "de": "Freiwilligenagenturen"},
    "cost_participation_office": {"en": "participation office", "de": "Beteiligungsbüro"},
    "cost_outreach": {"en": "outreach staff", "de": "Aufsuchende Arbeit"},
    "cost_admin_training": {
        "en": "training the administration",
        "de": "Qualifizierung der Verwaltung",
    },
    "cost_processes": {"en": "participation processes", "de": "Beteiligungsverfahren"},
    "cost_leadership": {
        "en": "leadership: staff, volunteer day",
        "de": "Führung: Personal, Ehrenamtstag",
    },
    "cost_axis": {"en": "€ million so far", "de": "Mio. € bisher"},
    "cost_total": {"en": "Total so far: {total}", "de": "Insgesamt bisher: {total}"},
    "cost_reference_total": {
        "en": "{reference}: {total} · extra cost: {extra}",
        "de": "{reference}: {total} · Mehrkosten: {extra}",
    },
    "cost_per_engaged": {
        "en": "{engaged} more engaged: {eur} each so far, {yearly} a year",
        "de": "{engaged} mehr Engagierte: je {eur} bisher, {yearly} pro Jahr",
    },
    "cost_per_engaged_saving": {
        "en": "{engaged} more engaged, at lower cost",
        "de": "{engaged} mehr Engagierte, bei geringeren Kosten",
    },
    "cost_per_engaged_chance": {
        "en": "{engaged} more engaged: within what chance alone gives",
        "de": "{engaged} mehr Engagierte: noch im Bereich des Zufalls",
    },
    "cost_per_engaged_none": {
        "en": "No additional engaged residents",
        "de": "Keine zusätzlich Engagierten",
    },
    "trust_mean": {"en": "trust", "de": "Vertrauen"},
    "efficacy_mean": {"en": "efficacy", "de": "Selbstwirksamkeit"},
    "climate_progress": {"en": "climate neutrality", "de": "Klimaneutralität"},
    "services_coverage": {"en": "public services", "de": "Daseinsvorsorge"},
    "lonely_share": {"en": "lonely", "de": "einsam"},
    "public_places_quality": {"en": "public places", "de": "öffentliche Räume"},
    "democracy_satisfaction": {
        "en": "satisfied with democracy",
        "de": "zufrieden mit der Demokratie",
    },
    "target_2035": {"en": "climate-neutral (target 2035)", "de": "klimaneutral (Ziel 2035)"},
    "kind_volunteer_agency": {"en": "volunteer agency", "de": "Freiwilligenagentur"},
    "kind_association": {"en": "association", "de": "Verein"},
    "kind_neighbourhood_initiative": {
        "en": "neighbourhood initiative",
        "de": "Nachbarschaftsinitiative",
    },
    "kind_cooperative": {"en": "cooperative", "de": "Genossenschaft"},
    "kind_business": {"en": "business", "de": "Unternehmen"},
    "volunteers": {"en": "volunteers (residents)", "de": "Engagierte (Personen)"},
    "spend": {
        "en": "all levers, million EUR",
        "de": "alle Maßnahmen, Mio. EUR",
    },
    "year": {"en": "year", "de": "Jahr"},
    "month_now": {"en": "Month", "de": "Monat"},
    "engaged_now": {"en": "engaged", "de": "engagiert"},
    "error": {
        "en": "The run stopped with an error",
        "de": "Der Lauf wurde mit einem Fehler angehalten",
    },
    "without_changes": {"en": "without changes", "de": "ohne Änderungen"},
    "changes": {"en": "Your changes", "de": "Ihre Änderungen"},
    "change_levers": {"en": "levers changed", "de": "Stellschrauben geändert"},
    "rules": {"en": "Rules", "de": "Regeln"},
    "rules_hint": {
        "en": "Which rule each mechanism of the model follows. Choosing another rule restarts the run; the faint line without your changes uses the same rules.",
        "de": "Nach welcher Regel jeder Mechanismus des Modells arbeitet. Eine andere Regel startet den Lauf neu; die blasse Linie ohne Ihre Änderungen nutzt dieselben Regeln.",
    },
    "rule_active": {"en": "Rule", "de": "Regel"},
    "rules_active": {"en": "Rules", "de": "Regeln"},
    "rule_default": {"en": "default", "de": "Standard"},
    "mechanism_participation": {"en": "Participation", "de": "Beteiligung"},
    "mechanism_recruitment": {"en": "Being asked", "de": "Angesprochen werden"},
    "mechanism_joining": {"en": "Joining", "de": "Beitritt"},
    "mechanism_ownership": {"en": "Ownership", "de": "Eigentümerschaft"},
    "mechanism_trust": {"en": "Trust", "de": "Vertrauen"},
    "mechanism_exhaustion": {"en": "Exhaustion", "de": "Erschöpfung"},
    "rule_participation_formats": {"en": "by format", "de": "nach Format"},
    "rule_participation_formats_explain": {
        "en": "Each format finds its own participants: open consultations the interested and educated, forums the organised, assemblies by lot.",
        "de": "Jedes Format findet eigene Teilnehmende: offene Konsultationen Interessierte und Gebildete, Foren die Organisierten, Bürgerräte per Los.",
    },
    "rule_recruitment_network": {"en": "through the network", "de": "über das Netzwerk"},
    "rule_recruitment_network_explain": {
        "en": "Volunteers ask people they know, so asks travel along ties between similar people; organisations and outreach ask too.",
        "de": "Engagierte fragen Bekannte, Anfragen laufen also über Beziehungen zwischen Ähnlichen; dazu fragen Organisationen und aufsuchende Arbeit.",
    },
    "rule_recruitment_random_asking": {"en": "random asking", "de": "zufälliges Fragen"},
    "rule_recruitment_random_asking_explain": {
        "en": "As many asks, spread evenly over everyone, whoever knows whom.",
        "de": "Gleich viele Anfragen, gleichmäßig über alle verteilt, egal wer wen kennt.",
    },
    "rule_joining_logistic": {"en": "logistic", "de": "logistisch"},
    "rule_joining_logistic_explain": {
        "en": "Civic voluntarism: the chance to join grows with education, time, efficacy, ownership, being asked and engaged friends.",
        "de": "Ressourcenmodell: Die Chance mitzumachen wächst mit Bildung, Zeit, Selbstwirksamkeit, Eigentümerschaft, Gefragtwerden und engagierten Bekannten.",
    },
    "rule_joining_threshold": {"en": "threshold", "de": "Schwelle"},
    "rule_joining_threshold_explain": {
        "en": "Threshold contagion (Granovetter 1978): people join once enough of their acquaintances volunteer; being asked lowers the threshold.",
        "de": "Schwellenmodell (Granovetter 1978): Menschen machen mit, sobald genug Bekannte sich engagieren; Gefragtwerden senkt die Schwelle.",
    },
    "rule_ownership_shaping": {"en": "shaping", "de": "Mitgestalten"},
    "rule_ownership_shaping_explain": {
        "en": "Participants (and, weaker, their acquaintances) gain ownership; broken promises disappoint.",
        "de": "Teilnehmende (und schwächer ihre Bekannten) fühlen sich mitverantwortlich; gebrochene Versprechen enttäuschen.",
    },
    "rule_trust_negativity_bias": {"en": "negativity bias", "de": "Negativitätsverzerrung"},
    "rule_trust_negativity_bias_explain": {
        "en": "A disappointment moves trust further than an equal success (Baumeister et al. 2001).",
        "de": "Eine Enttäuschung bewegt Vertrauen stärker als ein gleich großer Erfolg (Baumeister u. a. 2001).",
    },
    "rule_trust_symmetric": {"en": "symmetric", "de": "symmetrisch"},
    "rule_trust_symmetric_explain": {
        "en": "Gains and losses weigh the same, so tokenism costs no more trust than kept promises earn.",
        "de": "Gewinne und Verluste wiegen gleich: Scheinbeteiligung kostet nicht mehr Vertrauen, als gehaltene Versprechen bringen.",
    },
    "rule_exhaustion_energy": {"en": "energy budget", "de": "Energiebudget"},
    "rule_exhaustion_energy_explain": {
        "en": "Volunteers spend and regain energy; hours, management, relief and recognition decide who burns out.",
        "de": "Engagierte verbrauchen und tanken Energie; Stunden, Begleitung, Entlastung und Anerkennung entscheiden, wer ausbrennt.",
    },
    "rule_exhaustion_managed_retention": {
        "en": "management keeps volunteers",
        "de": "Begleitung hält Engagierte",
    },
    "rule_exhaustion_managed_retention_explain": {
        "en": "As the energy budget, and good volunteer management also keeps volunteers from quitting by choice.",
        "de": "Wie das Energiebudget; zudem hält gute Begleitung Engagierte davon ab, aus eigenem Entschluss aufzuhören.",
    },
    "rule_exhaustion_constant_hazard": {"en": "constant hazard", "de": "festes Risiko"},
    "rule_exhaustion_constant_hazard_explain": {
        "en": "Volunteers burn out with a fixed chance each month, whatever their hours, management or recognition.",
        "de": "Engagierte brennen mit fester Wahrscheinlichkeit pro Monat aus, egal wie viele Stunden, welche Begleitung oder Anerkennung.",
    },
    "done": {
        "en": "End of the run reached. 'Reset' starts it again from the beginning.",
        "de": "Ende des Laufs erreicht. „Neu starten“ beginnt wieder von vorn.",
    },
    "sessions_full": {
        "en": "This page is full: all {limit} places are in use. Please try again in a few minutes; a place becomes free as soon as someone closes their page.",
        "de": "Die Seite ist voll: Alle {limit} Plätze sind belegt. Bitte versuchen Sie es in ein paar Minuten noch einmal; ein Platz wird frei, sobald jemand die Seite schließt.",
    },
}


def t(key: str, lang: str) -> str:
    """The label ``key`` in language ``lang`` ('de' or 'en')."""
    return TEXT[key][lang]


def t_or(key: str, lang: str, fallback: str) -> str:
    """The label ``key``, or ``fallback`` where there is none (e.g. a student's rule variant)."""
    return TEXT[key][lang] if key in TEXT else fallback


def mechanism_label(mechanism: str, lang: str) -> str:
    """'joining' -> 'Beitritt' (de); an unknown mechanism keeps its name."""
    return t_or(f"mechanism_{mechanism}", lang, mechanism)


def rule_label(mechanism: str, variant: str, lang: str) -> str:
    """('joining', 'threshold') -> 'Schwelle' (de); a student's variant keeps its name."""
    return t_or(f"rule_{mechanism}_{variant}", lang, variant)


def fmt_number(x: float, lang: str, digits: int = 0) -> str:
    """1234.5 -> '1,234.5' (en) or '1.234,5' (de)."""
    text = f"{x:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def fmt_percent(share: float, lang: str, digits: int = 1) -> str:
    """0.367 -> '36.7%' (en) or '36,7 %' (de)."""
    return fmt_number(100 * share, lang, digits) + ("\u00a0%" if lang == "de" else "%")


def fmt_euro(eur: float, lang: str, million: bool = False, sign: bool = False) -> str:
    """Euros as a room reads them: 1234 -> '1.234 €' (de) or '€1,234' (en); ``million``:
    2.5e6 -> '2,5 Mio. €' / '€2.5 million' (two decimals below a million: '0,15 Mio. €');
    ``sign``: '+' or '−' in front (a difference). What rounds to nothing is '0 €', unsigned."""
    value = abs(eur) / 1e6 if million else abs(eur)
    digits = (2 if round(value, 1) < 1 else 1) if million else 0
    if round(value, digits) == 0:
        value, digits = 0.0, 0
    number = fmt_number(value, lang, digits)
    if lang == "de":
        text = f"{number}\u00a0Mio.\u00a0€" if million else f"{number}\u00a0€"
    else:
        text = f"€{number}\u00a0million" if million else f"€{number}"
    if value == 0:
        return text
    return ("−" if eur < 0 else "+" if sign else "") + text


def fmt_month(date: str, lang: str) -> str:
    """'2027-03' -> 'Mar 2027' (en) or 'Mär 2027' (de)."""
    year, month = date.split("-")
    return f"{MONTHS[lang][int(month) - 1]} {year}"
