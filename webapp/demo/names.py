"""Names, interests and other demo data (data, not UI: not translated)."""

from __future__ import annotations

import random
import unicodedata

SURNAMES = [
    "Di Lallo",
    "Iannacone",
    "Cimorelli",
    "Santoro",
    "D'Andrea",
    "Di Pasquale",
    "Mancini",
    "Petrecca",
    "Carnevale",
    "Ricci",
    "Di Nucci",
    "Colavecchio",
    "Tedeschi",
    "Marinelli",
    "Caranci",
    "Di Iorio",
    "Pallotta",
    "Mastronardi",
    "Lombardi",
    "Testa",
    "Valente",
    "De Vincenzo",
    "Cefaratti",
    "Di Ciocco",
    "Iacovone",
    "Palladino",
    "Bianchi",
    "Rossi",
    "Ferrara",
    "Mastrangelo",
    "Guglielmi",
    "Fabrizio",
    "Di Lonardo",
    "Sabelli",
    "Zappone",
]
WOMEN = [
    "Maria",
    "Anna",
    "Giulia",
    "Francesca",
    "Chiara",
    "Sara",
    "Elena",
    "Laura",
    "Paola",
    "Silvia",
    "Valentina",
    "Roberta",
    "Marta",
    "Federica",
    "Lucia",
    "Rita",
    "Angela",
]
MEN = [
    "Luca",
    "Marco",
    "Giuseppe",
    "Antonio",
    "Francesco",
    "Davide",
    "Matteo",
    "Paolo",
    "Stefano",
    "Andrea",
    "Michele",
    "Nicola",
    "Roberto",
    "Pietro",
    "Domenico",
    "Fabio",
]
# Residents are mostly 75 or older: names of that generation.
OLD_WOMEN = [
    "Giuseppina",
    "Concetta",
    "Filomena",
    "Carmela",
    "Assunta",
    "Addolorata",
    "Immacolata",
    "Teresa",
    "Rosa",
    "Maria",
    "Anna",
    "Lucia",
    "Angela",
    "Antonietta",
    "Vincenza",
    "Michelina",
    "Nicolina",
    "Elvira",
    "Iolanda",
    "Gelsomina",
]
OLD_MEN = [
    "Antonio",
    "Domenico",
    "Nicola",
    "Pasquale",
    "Vincenzo",
    "Giovanni",
    "Raffaele",
    "Cosimo",
    "Michele",
    "Giuseppe",
    "Carmine",
    "Alfonso",
    "Biagio",
    "Emilio",
]
# Newer neighbours of Isernia: (first names, surnames, gender, languages besides Italian)
NEWCOMERS = [
    (["Ioana", "Elena", "Andrei", "Mihai"], ["Popescu", "Ionescu", "Dumitru"], "ro"),
    (["Olena", "Oksana", "Iryna", "Taras"], ["Kovalenko", "Shevchenko", "Bondarenko"], "uk"),
    (["Fatima", "Amina", "Youssef", "Karim"], ["El Amrani", "Benali", "Haddad"], "ar"),
    (["Emily", "Sarah", "James", "Thomas"], ["Clarke", "Walker", "Hughes"], "en"),
]
MALE_NEWCOMERS = {"Andrei", "Mihai", "Taras", "Youssef", "Karim", "James", "Thomas"}
INTERESTS = [
    "cards",
    "gardening",
    "cooking",
    "music",
    "local history",
    "football",
    "reading",
    "crafts",
    "walking",
    "church",
    "television",
    "chess",
    "photography",
    "dancing",
]
RELATIONS = ["figlia", "figlio", "nipote", "nuora", "assistente sociale", "fratello", "vicina"]
HEALTH_NOTES = [
    "Diabete: pranzo alle 12:30.",
    "Prende farmaci alle 8 e alle 20.",
    "Vista ridotta: leggere ad alta voce.",
    "Pacemaker.",
    "Allergia ai gatti.",
]


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in plain if ch.isalnum())


def mobile(rng: random.Random) -> str:
    return f"+39 3{rng.randint(20, 49)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def landline(rng: random.Random) -> str:
    return f"0865 {rng.randint(400000, 499999)}"


class EmailBook:
    """Unique, predictable demo e-mails: first.last@example.org, then first.last2@..."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, first: str, last: str, domain: str = "example.org") -> str:
        base = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email, n = f"{base}@{domain}", 1
        while email in self.used:
            n += 1
            email = f"{base}{n}@{domain}"
        self.used.add(email)
        return email
