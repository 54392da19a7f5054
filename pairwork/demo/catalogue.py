"""The invented people, places and Finnish texts the demo world is made of.

Pure data, no database. Every name here is made up; streets are generic or
invented, phone numbers sit in the unassigned +358 40 000 range and e-mail
goes to the reserved .invalid domain, so nothing can reach a real person.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pairwork.choices import ArtForm, Language, Weekday
from pairwork.models import Role

DEMO_SEED = 2026
DEMO_PASSWORD = "Tyopari-demo-2026"
EMAIL_DOMAIN = "example.invalid"

KALLIO = "Kallio–Vallila"
ESPOO = "Espoo keskus"
PORVOO = "Porvoo"


def demo_phone(number: int) -> str:
    """+358 40 000 xxxx: a range no real subscriber has."""
    return f"+358 40 000 {number:04d}"


@dataclass(frozen=True)
class TeamSpec:
    name: str
    area: str
    description: str
    # (postal code, district) pairs the team's clients live in.
    districts: tuple[tuple[str, str], ...]
    streets: tuple[str, ...]


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        KALLIO,
        "Helsinki",
        "Kotihoidon tiimi Kallion ja Vallilan alueella. Työparimallia kokeiltu keväästä alkaen.",
        (("00530", "Kallio"), ("00550", "Vallila")),
        ("Koivukuja", "Pihlajatie", "Vaahterakatu", "Kuusipolku", "Leppäkuja", "Tammikatu"),
    ),
    TeamSpec(
        ESPOO,
        "Espoo",
        "Kotihoidon tiimi Espoon keskuksessa; osa asiakkaista ruotsinkielisiä.",
        (("02770", "Espoon keskus"), ("02780", "Kirkkojärvi")),
        ("Mäntytie", "Haapatie", "Myllypolku", "Rantakuja", "Puistotie", "Björkvägen"),
    ),
    TeamSpec(
        PORVOO,
        "Porvoo",
        "Pieni kaksikielinen tiimi; käynnit pääosin ruotsiksi.",
        (("06100", "Porvoo"),),
        ("Rönnvägen", "Strandstigen", "Granvägen", "Ekgränd"),
    ),
)

# Weekly availability patterns: (weekdays, from, until).
WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
EVERY_DAY = tuple(Weekday)
AVAILABILITY: dict[str, tuple[tuple[tuple[int, ...], dt.time, dt.time], ...]] = {
    # The demo pair works every day so that "my visits" always has something today.
    "every_day": ((EVERY_DAY, dt.time(8), dt.time(17)),),
    "nurse_day_shift": ((WEEKDAYS, dt.time(8), dt.time(16)),),
    "nurse_early_shift": ((WEEKDAYS, dt.time(7), dt.time(15)),),
    "nurse_with_weekends": (
        ((Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY), dt.time(8), dt.time(16)),
        ((Weekday.SATURDAY, Weekday.SUNDAY), dt.time(9), dt.time(15)),
    ),
    "artist_mon_to_thu": ((WEEKDAYS[:4], dt.time(9), dt.time(16)),),
    "artist_tue_to_fri": ((WEEKDAYS[1:], dt.time(9), dt.time(16)),),
    "artist_mon_wed_fri": (((Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.FRIDAY), dt.time(10), dt.time(17)),),
    "artist_split_week": (
        ((Weekday.MONDAY, Weekday.TUESDAY), dt.time(12), dt.time(17)),
        ((Weekday.THURSDAY, Weekday.FRIDAY), dt.time(9), dt.time(15)),
    ),
}


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str  # a Role value, or "administrator" for the account without a staff profile
    teams: tuple[str, ...] = ()
    art_forms: tuple[str, ...] = ()
    languages: tuple[str, ...] = (Language.FINNISH,)
    availability: str = ""
    organisation_wide: bool = False


ADMINISTRATOR = "administrator"
FI, SV, EN = Language.FINNISH, Language.SWEDISH, Language.ENGLISH

STAFF: tuple[StaffSpec, ...] = (
    # Demo logins first; see DEMO_LOGINS.
    StaffSpec("koordinaattori", "Kaisa", "Lehtovaara", Role.COORDINATOR, (KALLIO,)),
    StaffSpec("koordinaattori2", "Eija", "Rannikko", Role.COORDINATOR, (ESPOO,), languages=(FI, SV)),
    StaffSpec(
        "taiteilija", "Aino", "Laulumaa", Role.ARTIST, (KALLIO,),
        art_forms=(ArtForm.MUSIC, ArtForm.SINGING), languages=(FI, EN), availability="every_day",
    ),
    StaffSpec("hoitaja", "Hanna", "Kotiranta", Role.NURSE, (KALLIO,), availability="every_day"),
    StaffSpec("esihenkilo", "Merja", "Harjuvaara", Role.MANAGER, (KALLIO, ESPOO), organisation_wide=True),
    StaffSpec("yllapitaja", "Reija", "Ylivaara", ADMINISTRATOR),
    # Team Kallio–Vallila.
    StaffSpec(
        "eetu.varjola", "Eetu", "Varjola", Role.ARTIST, (KALLIO,),
        art_forms=(ArtForm.VISUAL_ART, ArtForm.PHOTOGRAPHY), languages=(FI, EN), availability="artist_mon_to_thu",
    ),
    StaffSpec(
        "iida.tanssila", "Iida", "Tanssila", Role.ARTIST, (KALLIO,),
        art_forms=(ArtForm.DANCE, ArtForm.THEATRE), languages=(FI, SV), availability="artist_mon_wed_fri",
    ),
    StaffSpec(
        "ville.sanaranta", "Ville", "Sanaranta", Role.ARTIST, (KALLIO,),
        art_forms=(ArtForm.LITERATURE, ArtForm.THEATRE), availability="artist_tue_to_fri",
    ),
    StaffSpec("mikko.salmenkivi", "Mikko", "Salmenkivi", Role.NURSE, (KALLIO,), availability="nurse_day_shift"),
    StaffSpec(
        "noora.pihlajisto", "Noora", "Pihlajisto", Role.NURSE, (KALLIO,),
        languages=(FI, SV), availability="nurse_day_shift",
    ),
    StaffSpec("petra.kuusenoja", "Petra", "Kuusenoja", Role.NURSE, (KALLIO,), availability="nurse_early_shift"),
    StaffSpec("laura.vuorilehto", "Laura", "Vuorilehto", Role.NURSE, (KALLIO,), availability="nurse_with_weekends"),
    # Team Espoo keskus.
    StaffSpec(
        "sanna.savikoski", "Sanna", "Savikoski", Role.ARTIST, (ESPOO,),
        art_forms=(ArtForm.CRAFTS, ArtForm.VISUAL_ART), availability="artist_mon_to_thu",
    ),
    StaffSpec(
        "tuomas.rytkola", "Tuomas", "Rytkölä", Role.ARTIST, (ESPOO,),
        art_forms=(ArtForm.MUSIC, ArtForm.CIRCUS), languages=(FI, EN), availability="artist_tue_to_fri",
    ),
    StaffSpec(
        "elina.strandell", "Elina", "Strandell", Role.ARTIST, (ESPOO,),
        art_forms=(ArtForm.SINGING, ArtForm.DANCE), languages=(SV, FI), availability="artist_split_week",
    ),
    StaffSpec("jussi.rantavuori", "Jussi", "Rantavuori", Role.NURSE, (ESPOO,), availability="nurse_day_shift"),
    StaffSpec("veera.mantyranta", "Veera", "Mäntyranta", Role.NURSE, (ESPOO,), availability="nurse_early_shift"),
    StaffSpec(
        "riikka.hallakorpi", "Riikka", "Hallakorpi", Role.NURSE, (ESPOO,),
        languages=(FI, SV), availability="nurse_day_shift",
    ),
    StaffSpec("marja.tervaskanto", "Marja", "Tervaskanto", Role.NURSE, (ESPOO,), availability="nurse_with_weekends"),
    # Team Porvoo (small, mostly Swedish-speaking).
    StaffSpec("kristina.akerblom", "Kristina", "Åkerblom", Role.COORDINATOR, (PORVOO,), languages=(SV, FI)),
    StaffSpec(
        "linnea.sjoblad", "Linnea", "Sjöblad", Role.ARTIST, (PORVOO,),
        art_forms=(ArtForm.VISUAL_ART, ArtForm.CRAFTS, ArtForm.SINGING), languages=(SV, FI),
        availability="artist_mon_to_thu",
    ),
    StaffSpec(
        "johanna.lindroos", "Johanna", "Lindroos", Role.NURSE, (PORVOO,),
        languages=(SV, FI), availability="nurse_day_shift",
    ),
    StaffSpec(
        "mikael.ekholm", "Mikael", "Ekholm", Role.NURSE, (PORVOO,),
        languages=(SV, FI), availability="nurse_early_shift",
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    note: str


# One sign-in per role; the command and `make run` print this table.
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("koordinaattori", Role.COORDINATOR, f"team {KALLIO}"),
    DemoLogin("koordinaattori2", Role.COORDINATOR, f"team {ESPOO}"),
    DemoLogin("taiteilija", Role.ARTIST, "pair with hoitaja; visits today"),
    DemoLogin("hoitaja", Role.NURSE, "pair with taiteilija; visits today"),
    DemoLogin("esihenkilo", Role.MANAGER, "organisation-wide"),
    DemoLogin("yllapitaja", ADMINISTRATOR, "Django admin"),
)


@dataclass(frozen=True)
class PairSpec:
    team: str
    artist: str
    nurse: str
    started_days_ago: int
    ended_days_ago: int | None = None


# The first pair is the demo pair: its visits include today.
PAIRS: tuple[PairSpec, ...] = (
    PairSpec(KALLIO, "taiteilija", "hoitaja", 180),
    PairSpec(KALLIO, "eetu.varjola", "mikko.salmenkivi", 170),
    PairSpec(KALLIO, "iida.tanssila", "noora.pihlajisto", 150),
    PairSpec(KALLIO, "ville.sanaranta", "petra.kuusenoja", 120),
    PairSpec(ESPOO, "sanna.savikoski", "jussi.rantavuori", 160),
    PairSpec(ESPOO, "tuomas.rytkola", "veera.mantyranta", 140),
    # Elina worked with Marja until five weeks ago, then with Riikka.
    PairSpec(ESPOO, "elina.strandell", "marja.tervaskanto", 200, ended_days_ago=36),
    PairSpec(ESPOO, "elina.strandell", "riikka.hallakorpi", 35),
    PairSpec(PORVOO, "linnea.sjoblad", "johanna.lindroos", 130),
)

# Finnish names of the art forms, for texts written in Finnish.
ART_FORM_FI = {
    ArtForm.MUSIC: "musiikki",
    ArtForm.SINGING: "laulu",
    ArtForm.VISUAL_ART: "kuvataide",
    ArtForm.DANCE: "tanssi ja liike",
    ArtForm.THEATRE: "teatteri ja draama",
    ArtForm.LITERATURE: "kirjallisuus ja runous",
    ArtForm.CIRCUS: "sirkus",
    ArtForm.CRAFTS: "käsityö",
    ArtForm.PHOTOGRAPHY: "valokuvaus",
}

AGREEMENT_GOALS = (
    "Asiakas kokee käynnillä iloa ja osallisuutta, ja hänen toimintakykynsä säilyy.",
    "Vähennetään yksinäisyyttä ja tuetaan asiakkaan omaa ilmaisua.",
    "Kiireetön, rauhallinen hetki, jossa hoitajalla on aikaa kohdata asiakas.",
    "Asiakas liikkuu ja käyttää käsiään enemmän kuin ennen, omassa tahdissaan.",
)
AGREEMENT_VALUES = (
    "Kunnioitamme asiakkaan toiveita ja tahtia; asiakas saa aina kieltäytyä.",
    "Luottamus, tasavertaisuus ja avoimuus: kerromme toisillemme havainnoistamme.",
    "Turvallisuus ensin, ja kumpikin voi keskeyttää käynnin, jos asiakas väsyy.",
)


def shared_agreement(*, index: int, artist: StaffSpec, nurse: StaffSpec) -> str:
    """The pair's shared goals, values and roles, in Finnish."""
    forms = ", ".join(ART_FORM_FI[form] for form in artist.art_forms)
    return (
        f"Tavoitteet: {AGREEMENT_GOALS[index % len(AGREEMENT_GOALS)]}\n"
        f"Arvot: {AGREEMENT_VALUES[index % len(AGREEMENT_VALUES)]}\n"
        f"Roolit: {nurse.first_name} tuntee asiakkaat, esittelee taiteilijan ja vastaa hoidollisista "
        f"asioista ja turvallisuudesta. {artist.first_name} suunnittelee ja ohjaa taidetoiminnan ({forms}) "
        "asiakkaan toiveiden mukaan.\n"
        "Käytännöt: Sovimme käynnin kulusta ennen ovelle menoa ja käymme käynnin yhdessä läpi "
        "kymmenessä minuutissa sen jälkeen."
    )


# Clients: names are combined from these lists, never taken from anyone.
CLIENT_FIRST_NAMES_FI = (
    "Aili", "Helmi", "Elli", "Martta", "Sylvi", "Kerttu", "Impi", "Saima", "Hilja", "Lempi", "Tyyne", "Aune",
    "Irja", "Raili", "Toivo", "Veikko", "Onni", "Eino", "Reino", "Tauno", "Lauri", "Väinö", "Arvo", "Aarne",
    "Pentti", "Kalevi", "Olavi",
)
CLIENT_LAST_NAMES_FI = (
    "Kanervisto", "Sammalkorpi", "Routasalo", "Puolukkamäki", "Tähkälä", "Haapakoski", "Kuurala", "Vaskivuori",
    "Lumiaho", "Kaislaniemi", "Ruskovaara", "Peltosaari", "Jäkälä", "Mesimäki", "Ilveskorpi", "Tuohimaa",
)
CLIENT_FIRST_NAMES_SV = ("Ingrid", "Gunnar", "Birgitta", "Sten", "Margit", "Holger", "Elsa", "Rolf", "Greta", "Bertil")
CLIENT_LAST_NAMES_SV = ("Granroos", "Ekvall", "Lövholm", "Strandvik", "Björkqvist", "Berglind", "Åkervall", "Sundgren")


@dataclass(frozen=True)
class ClientMix:
    """How many clients a team has and which special cases are among them."""

    team: str
    count: int
    swedish: int
    without_consent: int = 0
    archived: int = 0
    new: int = 0  # joined days ago; the first paired visit is still ahead


CLIENT_MIX: tuple[ClientMix, ...] = (
    ClientMix(KALLIO, count=20, swedish=2, without_consent=1, new=2),
    ClientMix(ESPOO, count=16, swedish=4, without_consent=1, archived=1, new=1),
    ClientMix(PORVOO, count=6, swedish=5),
)

NEEDS_AND_WISHES = (
    "Pitää vanhoista iskelmistä ja laulaa mielellään mukana. Toivoo käyntejä aamupäivisin.",
    "Maalasi nuorena akvarelleja ja haluaisi kokeilla uudelleen. Tarvitsee hyvän valon.",
    "Yksinäinen puolison kuoleman jälkeen. Toivoo juttuseuraa ja runoja.",
    "Tanssi ennen paljon; istuen tehtävä tanssi ja liike sopivat.",
    "Katsotaan mielellään vanhoja valokuva-albumeja ja kuvataan parvekkeen kasveja.",
    "Neuloo edelleen; toivoo käsitöitä ja seuraa. Sormet ovat jäykät aamuisin.",
    "Musiikki rauhoittaa; lempikappaleita ovat vanhat hengelliset laulut.",
    "Haluaa kertoa elämäntarinaansa; kirjoitetaan muistelmia yhdessä.",
    "Pitää teatterista ja lausunnasta; toivoo pieniä näytelmähetkiä.",
    "Lapsenlapset innostivat sirkukseen: huivijongleeraus istuen on mieluisaa.",
    "Toivoo ulkoilua ja luontoaiheita; piirtää mielellään lintuja.",
)
NEEDS_AND_WISHES_SV = (
    "Ruotsinkielinen; toivoo ruotsinkielisiä lauluja ja keskustelua ruotsiksi.",
    "Puhuu ruotsia, ymmärtää suomea. Pitää saariston maisemista ja maalaamisesta.",
    "Ruotsinkielinen entinen kuorolaulaja; haluaa laulaa kaksiäänisesti.",
)
SAFETY_NOTES = (
    "Kissa kotona, pidä ulko-ovi kiinni.",
    "Avain avainsäilössä, koodi on hoitajalla.",
    "Liikkuu rollaattorilla; eteisen matto liukas.",
    "Koira on ystävällinen mutta haukkuu ovella.",
    "Kaatumisriski: älä jätä seisomaan yksin.",
    "Kuulo heikentynyt: puhu selkeästi ja kasvot asiakkaaseen päin.",
    "Happirikastin käytössä: ei kynttilöitä eikä avotulta.",
    "",
)
HEALTH_NOTES = (
    "Lievä muistisairaus, lääkitys aamuisin.",
    "Tyypin 2 diabetes; verensokeri mitataan aamulla.",
    "Sydämen vajaatoiminta, hengästyy rasituksessa.",
    "Nivelrikko polvissa, kipulääke tarvittaessa.",
    "Mieliala vaihtelee; seuranta terveysasemalla.",
    "Parkinsonin tauti, vapinaa oikeassa kädessä.",
    "Lonkkaleikkaus viime vuonna, kuntoutus kesken.",
)
NO_CONSENT_NOTE = "Suostumusta ei vielä ole: kysytään seuraavalla kotihoidon käynnillä omaisen läsnä ollessa."


@dataclass(frozen=True)
class ServiceSpec:
    service: str
    organisation: str
    notes: str


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("Kotiateria", "Ateriapalvelu Lautanen Oy", "Lounas arkisin klo 11."),
    ServiceSpec("Päivätoiminta", "Päivätoimintakeskus Kohtaamo", "Tiistaisin ja torstaisin."),
    ServiceSpec("Fysioterapia", "Fysioterapia Askel Oy", "Kotikäynti joka toinen viikko."),
    ServiceSpec("Ystäväpalvelu", "Seurakunnan ystäväpalvelu", "Vapaaehtoinen käy sunnuntaisin."),
    ServiceSpec("Kuljetuspalvelu", "Kyyti-palvelu", "Asiointimatkat kahdesti kuussa."),
    ServiceSpec("Lääkkeiden annosjakelu", "Apteekki Esimerkki", "Annospussit kahden viikon välein."),
    ServiceSpec("Muistihoitaja", "Terveysaseman muistipoliklinikka", "Seurantakäynti kolmen kuukauden välein."),
    ServiceSpec("Turvapuhelin", "Turvapalvelu Hälytin Oy", "Ranneke käytössä."),
)
CONTACT_PEOPLE = (
    ("Pekka", "Yhteyslahti"), ("Tiina", "Palvelumaa"), ("Antti", "Kumppanoja"), ("Sari", "Verkkola"),
    ("Jari", "Tukiainen-Esimerkki"), ("Mirja", "Soittola"), ("Kimmo", "Apukangas"), ("Ulla", "Välittäjä"),
)

CANCELLATION_REASONS = (
    "Asiakas on sairaalassa.",
    "Hoitaja sairastui, eikä sijaista saatu.",
    "Omainen perui: asiakkaalla lääkärikäynti samaan aikaan.",
    "Taiteilija sairastui.",
    "Asiakas pyysi siirtämään käyntiä.",
)
CANCELLED_ON_ARRIVAL_REASONS = (
    "Asiakas oli väsynyt, käynti jäi ovelle.",
    "Asiakkaalla oli vieraita; sovittiin uusi aika.",
)

# What a visit note says, by art form: (what the artist did, what the nurse noticed).
ACTIVITIES = {
    ArtForm.MUSIC: (
        "Kuunneltiin asiakkaan toivomia levyjä ja soitettiin kanteletta.",
        "Asiakas tahditti musiikkia käsillään.",
    ),
    ArtForm.SINGING: (
        "Laulettiin yhdessä vanhoja iskelmiä ja kansanlauluja.",
        "Asiakas muisti sanat ja lauloi mukana.",
    ),
    ArtForm.VISUAL_ART: ("Maalattiin vesiväreillä syksyn lehtiä.", "Asiakas keskittyi pitkään ja valitsi itse värit."),
    ArtForm.DANCE: ("Tehtiin istuen tanssiliikkeitä valssin tahtiin.", "Asiakas nousi lopuksi seisomaan tukea vasten."),
    ArtForm.THEATRE: (
        "Luettiin ääneen ja eläydyttiin pieneen kohtaukseen.",
        "Asiakas nauroi paljon ja muisteli nuoruuttaan.",
    ),
    ArtForm.LITERATURE: (
        "Luettiin runoja ja kirjoitettiin muistelma kesämökistä.",
        "Asiakas kertoi elämästään avoimesti.",
    ),
    ArtForm.CIRCUS: ("Harjoiteltiin huivijongleerausta istuen.", "Käsien liikkuvuus parani käynnin aikana."),
    ArtForm.CRAFTS: ("Neulottiin ja suunniteltiin yhdessä pientä kudontatyötä.", "Sormet vetristyivät työn edetessä."),
    ArtForm.PHOTOGRAPHY: (
        "Katsottiin vanhoja valokuvia ja kuvattiin parvekkeen kasveja.",
        "Asiakas kertoi kuvien henkilöistä.",
    ),
}
CARE_PLAN_OBSERVATIONS = (
    "Liikkuu rollaattorilla varmemmin kuin viime viikolla.",
    "Ruokahalu on parantunut; söi välipalan käynnin jälkeen.",
    "Hieman hengästynyt, seurataan.",
    "Uni on omaisen mukaan ollut parempaa käyntipäivinä.",
    "",
)
NEXT_VISIT_SUGGESTIONS = (
    "Jatketaan samasta; asiakas toivoi samoja kappaleita.",
    "Tuodaan rytmisoittimia ja isompi paperi.",
    "Kokeillaan lyhyempää käyntiä, asiakas väsyi loppua kohden.",
    "Otetaan omainen mukaan, jos mahdollista.",
)
FREE_TEXTS = ("", "", "Hyvä yhteinen hetki.", "Asiakas kiitti ja kysyi, milloin tulemme uudelleen.")
