"""Fill msgstr entries of a .po file from a JSON {msgid: translation} map (translator aid).

Usage: python tools/fill_po.py webapp/<feature>/translations/it/LC_MESSAGES/messages.po it.json
"""

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, json_path: str) -> None:
    with open(json_path, encoding="utf-8") as fh:
        translations = json.load(fh)
    with open(po_path, "rb") as fh:
        catalog = read_po(fh, locale="it")
    filled = 0
    for message in catalog:
        if message.id and message.id in translations:
            message.string = translations[message.id]
            filled += 1
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=100)
    print(f"filled {filled} of {len(catalog)} messages")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
