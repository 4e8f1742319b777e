"""Names the simulated world is built from: people, news outlets, fake outlets, code names, countries.

Written for this simulator. The people are invented combinations of common European first and last names; the
news domains are real, well-known outlets that benign users link to; the operations' outlets are invented.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from fimihub.sim.lexicon import words

__all__ = [
    "CODE_ADJECTIVES",
    "CODE_NOUNS",
    "COUNTRY_NAMES",
    "FAKE_OUTLET_HEADS",
    "FAKE_OUTLET_TAILS",
    "FAKE_OUTLET_TLDS",
    "FIRST_NAMES",
    "LAST_NAMES",
    "NEWS_DOMAINS",
    "NEWS_SECTIONS",
    "ORIGINS",
    "TECHNIQUES",
    "ascii_fold",
    "ascii_names",
]


FIRST_NAMES: tuple[str, ...] = words(
    """
    Anna Maria Sofia Elena Julia Laura Sara Eva Katarzyna Agnieszka Zsófia Ilona Petra Jana Lucie Ivana
    Marta Inês Beatriz Chiara Giulia Francesca Léa Chloé Manon Camille Émilie Hanna Lena Lea Mia Emma Ingrid
    Sigrid Astrid Liisa Aino Kristīne Ieva Rūta Eglė Ioana Andreea Mihaela Desislava Ralitsa Eleni Dimitra
    Niamh Aoife Saoirse Matej Luka Marko Ivan Tomáš Jakub Piotr Krzysztof Michał Tomasz András Bence Gábor
    Dávid Jan Lukas Felix Jonas Leon Paul Maximilian Thomas Pierre Lucas Hugo Antoine Théo Luca Marco Matteo
    Giovanni Alessandro Pablo Javier Diego Sergio Álvaro João Tiago Rui Pedro Erik Lars Anders Mikkel Jussi
    Mikko Juhan Andris Jānis Tomas Mantas Andrei Bogdan Mihai Georgi Nikolai Nikos Giorgos Seán Ciarán
    Daan Sem Bram Willem Noah Liam Oliver
    """
)

LAST_NAMES: tuple[str, ...] = words(
    """
    Kovač Novak Horvat Nowak Kowalski Wiśniewska Wójcik Kamiński Lewandowski Szabó Nagy Tóth Kovács Varga
    Dvořák Svoboda Novotný Procházka Černý Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann
    Schäfer Koch Richter Klein Wolf Neumann Martin Bernard Dubois Durand Lefebvre Moreau Laurent Simon Michel
    Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino García Fernández González Rodríguez López
    Martínez Sánchez Pérez Silva Santos Ferreira Pereira Oliveira Costa Jansen Visser Bakker Janssens Peeters
    Maes Jacobs Hansen Nielsen Jensen Pedersen Andersson Johansson Karlsson Nilsson Virtanen Korhonen Mäkinen
    Tamm Saar Sepp Bērziņš Ozoliņš Kalniņš Kazlauskas Petrauskas Popescu Ionescu Popa Dumitru Ivanov Georgiev
    Dimitrov Papadopoulos Georgiou Nikolaou Murphy Kelly Byrne Walsh Borg Camilleri Zammit Schmit
    Pavlović Kranjc Zupan Horváth Baláž Farrugia Mifsud O'Brien
    """
)

#: Well-known outlets benign users link to.
NEWS_DOMAINS: tuple[str, ...] = words(
    """
    reuters.com apnews.com bbc.com euronews.com politico.eu lemonde.fr lefigaro.fr liberation.fr spiegel.de
    zeit.de faz.net sueddeutsche.de tagesschau.de elpais.com elmundo.es lavanguardia.com corriere.it
    repubblica.it ansa.it nos.nl nrc.nl volkskrant.nl gazeta.pl onet.pl wyborcza.pl hvg.hu telex.hu idnes.cz
    seznamzpravy.cz dn.se svt.se yle.fi hs.fi delfi.lt err.ee lsm.lv rte.ie irishtimes.com publico.pt
    observador.pt kathimerini.gr derstandard.at orf.at lesoir.be vrt.be digi24.ro hotnews.ro dnevnik.bg
    index.hr sme.sk rtvslo.si politiken.dk dr.dk nrk.no ruv.is timesofmalta.com wort.lu
    """
)

NEWS_SECTIONS: tuple[str, ...] = words(
    """
    world europe politics economy business sport culture science technology health opinion local climate
    travel
    """
)

#: Building blocks of the operations' invented outlets: ``<head>-<tail>.<tld>``.
FAKE_OUTLET_HEADS: tuple[str, ...] = words(
    """
    euro baltic nordic central danube alpine atlantic free true real open people citizen honest clear
    new daily plain straight common public civic sovereign frank candid solid vital simple modern
    """
)
FAKE_OUTLET_TAILS: tuple[str, ...] = words(
    """
    news times herald post report review today insider observer chronicle digest wire tribune journal
    voice monitor gazette bulletin courier dispatch ledger press watch focus
    """
)
FAKE_OUTLET_TLDS: tuple[str, ...] = words("com info net org online news site live press top")

#: Code names for operations: ``<adjective> <noun>``.
CODE_ADJECTIVES: tuple[str, ...] = words(
    """
    Amber Ashen Azure Brass Cobalt Copper Crimson Dusky Ember Frost Gilded Granite Hollow Indigo Iron
    Jade Lunar Marble Misty Onyx Pale Quiet Russet Scarlet Silent Silver Slate Stone Velvet Violet
    """
)
CODE_NOUNS: tuple[str, ...] = words(
    """
    Lantern Harbor Falcon Meadow Compass Anchor Bridge Candle Cipher Comet Crow Delta Echo Fjord Gate
    Heron Kestrel Lighthouse Mirror Orchard Otter Pike Raven River Sparrow Spindle Tide Tower
    Willow Wolf
    """
)

#: English names of the countries operations target (EU/EEA) and come from.
COUNTRY_NAMES: dict[str, str] = {
    "AT": "Austria",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "EE": "Estonia",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GR": "Greece",
    "HR": "Croatia",
    "HU": "Hungary",
    "IE": "Ireland",
    "IT": "Italy",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "MT": "Malta",
    "NL": "the Netherlands",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SE": "Sweden",
    "SI": "Slovenia",
    "SK": "Slovakia",
    "IS": "Iceland",
    "LI": "Liechtenstein",
    "NO": "Norway",
}

#: Where operations of each operator type are run from in the simulation (ISO 3166-1 alpha-2). Domestic
#: operations take their origin from their target instead.
ORIGINS: dict[str, tuple[str, ...]] = {
    "state": ("RU", "CN", "IR", "BY"),
    "state-linked": ("RU", "CN", "IR", "AZ"),
    "commercial-vendor": ("IL", "AE", "NG", "IN", "PH", "RS"),
    "unknown": ("RU", "TR", "MD", "RS", "GE"),
}

#: DISARM technique ids operations draw from; the first few are used by every operation in the simulation.
TECHNIQUES: tuple[str, ...] = (
    "T0146",  # account asset (inauthentic accounts)
    "T0115",  # post content
    "T0049.001",  # trolls amplify and manipulate
    "T0097",  # present persona
    "T0152.004",  # website asset (inauthentic websites)
    "T0151.003",  # online community page (inauthentic pages)
    "T0049.008",  # generate information pollution
    "T0022",  # leverage conspiracy theory narratives
    "T0023",  # distort facts
    "T0049",  # flood information space
    "T0049.003",  # bots amplify via automated forwarding and reposting
    "T0084",  # reuse existing content
    "T0086",  # develop image-based content
    "T0118",  # amplify existing narrative
    "T0119",  # cross-posting
)

# Letters NFKD does not take apart into a base letter and an accent.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "đ": "d", "'": ""})


def ascii_fold(text: str) -> str:
    """``text`` with accents removed, for handles (platforms allow only ASCII there)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def ascii_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lower-case ASCII forms of :data:`FIRST_NAMES` and :data:`LAST_NAMES`, in the same order."""
    return (
        tuple(ascii_fold(n).lower() for n in FIRST_NAMES),
        tuple(ascii_fold(n).lower() for n in LAST_NAMES),
    )
