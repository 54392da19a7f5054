"""The three shipped instruments (post-visit pulse, monthly staff wellbeing, client outcome), version 1, in Finnish, Swedish and English.

The questions were written for this project (they are not taken from any
licensed questionnaire). The data lives here, not in app code, so that this
migration keeps producing exactly version 1 even after the app changes.
"""
from django.db import migrations

AGREE_1_5 = {
    "min": ("Täysin eri mieltä", "Helt av annan åsikt", "Strongly disagree"),
    "max": ("Täysin samaa mieltä", "Helt av samma åsikt", "Strongly agree"),
}
NONE_TO_GREAT_0_10 = {
    "min": ("Ei lainkaan", "Inte alls", "Not at all"),
    "max": ("Erittäin paljon", "Väldigt mycket", "A great deal"),
}
NEVER_TO_ALWAYS_1_5 = {
    "min": ("Ei koskaan", "Aldrig", "Never"),
    "max": ("Jatkuvasti", "Hela tiden", "All the time"),
}

INSTRUMENTS = [
    {
        "code": "post_visit_pulse",
        "name": ("Käynnin jälkeinen pulssi", "Puls efter besöket", "Post-visit pulse"),
        "description": (
            "Kolme nopeaa kysymystä heti yhteiskäynnin jälkeen. Esihenkilöt näkevät vastaukset vain "
            "vähintään viiden vastaajan koosteina.",
            "Tre snabba frågor direkt efter det gemensamma besöket. Chefer ser svaren endast som "
            "sammanställningar av minst fem svarande.",
            "Three quick questions right after the joint visit. Managers only see summaries of at least "
            "five respondents.",
        ),
        "audience": "staff",
        "time_points": ["post_visit"],
        "scales": [
            ("calm", ("Rauhallisuus", "Lugn", "Calm"), "mean", 0),
            ("time_to_meet", ("Aikaa kohdata asiakas", "Tid att möta klienten", "Time to meet the client"), "mean", 0),
            ("energised", ("Virkeys", "Pigghet", "Energy"), "mean", 0),
        ],
        "items": [
            {
                "code": "calm", "scale": "calm", "range": (1, 5), "labels": AGREE_1_5,
                "text": (
                    "Tilanne käynnillä oli rauhallinen.",
                    "Situationen under besöket var lugn.",
                    "The situation during the visit was calm.",
                ),
            },
            {
                "code": "time_to_meet", "scale": "time_to_meet", "range": (1, 5), "labels": AGREE_1_5,
                "text": (
                    "Minulla oli aikaa kohdata asiakas.",
                    "Jag hade tid att möta klienten.",
                    "I had time to meet the client.",
                ),
            },
            {
                "code": "energised", "scale": "energised", "range": (1, 5), "labels": AGREE_1_5,
                "text": (
                    "Oloni on käynnin jälkeen virkeä.",
                    "Jag känner mig pigg efter besöket.",
                    "I feel energised after the visit.",
                ),
            },
        ],
    },
    {
        "code": "monthly_staff_wellbeing",
        "name": ("Kuukauden työhyvinvointikysely", "Månatlig enkät om arbetsvälbefinnande", "Monthly staff wellbeing survey"),
        "description": (
            "Kaksi kysymystä kerran kuukaudessa: työkykysi nyt ja sairauspoissaolopäiväsi tässä kuussa.",
            "Två frågor en gång i månaden: din arbetsförmåga nu och dina sjukfrånvarodagar den här månaden.",
            "Two questions once a month: your work ability now and your sick-leave days this month.",
        ),
        "audience": "staff",
        "time_points": ["monthly"],
        "scales": [
            ("work_ability", ("Työkyky", "Arbetsförmåga", "Work ability"), "mean", 0),
            ("sick_leave_days", ("Sairauspoissaolopäivät", "Sjukfrånvarodagar", "Sick-leave days"), "sum", 0),
        ],
        "items": [
            {
                "code": "work_ability", "scale": "work_ability", "range": (0, 10),
                "labels": {
                    "min": ("En pysty tekemään työtä lainkaan", "Kan inte arbeta alls", "Cannot work at all"),
                    "max": ("Paras koskaan", "Den bästa någonsin", "At its best ever"),
                },
                "text": (
                    "Verrattuna siihen, kun työkykysi on ollut parhaimmillaan (10), millaiseksi arvioit "
                    "työkykysi tällä hetkellä?",
                    "Jämfört med när din arbetsförmåga har varit som bäst (10), hur bedömer du din "
                    "arbetsförmåga just nu?",
                    "Compared with your work ability at its best ever (10), how would you rate your work "
                    "ability at the moment?",
                ),
            },
            {
                "code": "sick_leave_days", "scale": "sick_leave_days", "range": (0, 31),
                "labels": {"min": ("Ei yhtään", "Inga", "None"), "max": ("31 päivää", "31 dagar", "31 days")},
                "text": (
                    "Montako päivää olit sairauslomalla tässä kuussa?",
                    "Hur många dagar var du sjukskriven den här månaden?",
                    "How many days were you on sick leave this month?",
                ),
            },
        ],
    },
    {
        "code": "client_outcome",
        "name": ("Asiakkaan hyvinvointi", "Klientens välbefinnande", "Client wellbeing outcome"),
        "description": (
            "Kirjataan yhdessä asiakkaan kanssa ennen ensimmäistä yhteiskäyntiä (lähtötaso) ja noin "
            "kahdeksan viikon kuluttua (seuranta). Asiakas saa jättää kysymyksiä vastaamatta.",
            "Fylls i tillsammans med klienten före det första gemensamma besöket (utgångsläge) och efter "
            "cirka åtta veckor (uppföljning). Klienten får lämna frågor obesvarade.",
            "Recorded together with the client before the first joint visit (baseline) and after about "
            "eight weeks (follow-up). The client may leave questions unanswered.",
        ),
        "audience": "client",
        "time_points": ["baseline", "follow_up"],
        "scales": [
            (
                "personal_wellbeing",
                ("Henkilökohtainen hyvinvointi", "Personligt välbefinnande", "Personal wellbeing"),
                "mean",
                1,
            ),
            ("loneliness", ("Yksinäisyys", "Ensamhet", "Loneliness"), "mean", 1),
            (
                "physical_functioning",
                ("Fyysinen toimintakyky", "Fysisk funktionsförmåga", "Physical functioning"),
                "mean",
                0,
            ),
        ],
        "items": [
            {
                "code": "life_satisfaction", "scale": "personal_wellbeing", "range": (0, 10),
                "labels": {"min": ("En lainkaan", "Inte alls", "Not at all"), "max": ("Täysin", "Helt", "Completely")},
                "text": (
                    "Kun ajattelet elämääsi kokonaisuutena, kuinka tyytyväinen olet siihen tällä hetkellä?",
                    "När du tänker på ditt liv som helhet, hur nöjd är du med det just nu?",
                    "All things considered, how content are you with your life at the moment?",
                ),
            },
            {
                "code": "worthwhile", "scale": "personal_wellbeing", "range": (0, 10),
                "labels": {"min": ("Ei lainkaan", "Inte alls", "Not at all"), "max": ("Erittäin", "Mycket", "Very")},
                "text": (
                    "Kuinka merkityksellisiltä päiviesi asiat ja tekemiset sinusta tuntuvat?",
                    "Hur meningsfullt känns det du gör om dagarna?",
                    "How meaningful do the things you do in your days feel to you?",
                ),
            },
            {
                "code": "happiness", "scale": "personal_wellbeing", "range": (0, 10), "labels": NONE_TO_GREAT_0_10,
                "text": (
                    "Kuinka paljon iloa tunsit eilen?",
                    "Hur mycket glädje kände du i går?",
                    "How much joy did you feel yesterday?",
                ),
            },
            {
                "code": "anxiety", "scale": "personal_wellbeing", "range": (0, 10), "labels": NONE_TO_GREAT_0_10,
                "reverse": True,
                "text": (
                    "Kuinka paljon huolta tai levottomuutta tunsit eilen?",
                    "Hur mycket oro eller rastlöshet kände du i går?",
                    "How much worry or unease did you feel yesterday?",
                ),
            },
            {
                "code": "feels_lonely", "scale": "loneliness", "range": (1, 5), "labels": NEVER_TO_ALWAYS_1_5,
                "text": (
                    "Kuinka usein tunnet itsesi yksinäiseksi?",
                    "Hur ofta känner du dig ensam?",
                    "How often do you feel lonely?",
                ),
            },
            {
                "code": "someone_to_talk_to", "scale": "loneliness", "range": (1, 5), "labels": NEVER_TO_ALWAYS_1_5,
                "reverse": True,
                "text": (
                    "Kuinka usein sinulla on joku, jonka kanssa jutella, kun haluat?",
                    "Hur ofta har du någon att prata med när du vill?",
                    "How often do you have someone to talk to when you want to?",
                ),
            },
            {
                "code": "left_outside", "scale": "loneliness", "range": (1, 5), "labels": NEVER_TO_ALWAYS_1_5,
                "text": (
                    "Kuinka usein tunnet jääväsi ulkopuolelle siitä, mitä ympärilläsi tapahtuu?",
                    "Hur ofta känner du dig utanför det som händer omkring dig?",
                    "How often do you feel outside of what is happening around you?",
                ),
            },
            {
                "code": "everyday_activities", "scale": "physical_functioning", "range": (1, 5),
                "labels": {
                    "min": ("En selviydy lainkaan", "Klarar inte alls", "Cannot manage at all"),
                    "max": ("Selviydyn vaivatta", "Klarar utan svårighet", "Manage without difficulty"),
                },
                "text": (
                    "Kuinka hyvin selviydyt kotona arjen toimista, kuten liikkumisesta, pukeutumisesta ja "
                    "pienistä askareista?",
                    "Hur väl klarar du vardagen hemma, som att röra dig, klä på dig och sköta små sysslor?",
                    "How well do you manage everyday activities at home, such as moving about, dressing and "
                    "small chores?",
                ),
            },
        ],
        "items_required": False,
    },
]


def _per_language(prefix: str, values: tuple[str, str, str]) -> dict[str, str]:
    return {f"{prefix}_{language}": value for language, value in zip(("fi", "sv", "en"), values)}


def ship_instruments(apps, schema_editor):
    Instrument = apps.get_model("wellbeing", "Instrument")
    Scale = apps.get_model("wellbeing", "Scale")
    Item = apps.get_model("wellbeing", "Item")
    for spec in INSTRUMENTS:
        if Instrument.objects.filter(code=spec["code"], version=1).exists():
            continue
        instrument = Instrument.objects.create(
            code=spec["code"],
            version=1,
            audience=spec["audience"],
            time_points=spec["time_points"],
            **_per_language("name", spec["name"]),
            **_per_language("description", spec["description"]),
        )
        scales = {}
        for position, (code, names, rule, max_missing) in enumerate(spec["scales"]):
            scales[code] = Scale.objects.create(
                instrument=instrument, code=code, position=position, rule=rule, max_missing=max_missing,
                **_per_language("name", names),
            )
        for position, item in enumerate(spec["items"]):
            Item.objects.create(
                instrument=instrument,
                scale=scales[item["scale"]],
                code=item["code"],
                position=position,
                scale_min=item["range"][0],
                scale_max=item["range"][1],
                reverse_scored=item.get("reverse", False),
                required=spec.get("items_required", True),
                **_per_language("text", item["text"]),
                **_per_language("min_label", item["labels"]["min"]),
                **_per_language("max_label", item["labels"]["max"]),
            )


def remove_unanswered_instruments(apps, schema_editor):
    Instrument = apps.get_model("wellbeing", "Instrument")
    Instrument.objects.filter(
        code__in=[spec["code"] for spec in INSTRUMENTS], version=1, responses__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0003_answered_instruments_are_frozen")]
    operations = [migrations.RunPython(ship_instruments, remove_unanswered_instruments)]
