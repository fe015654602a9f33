"""Fill msgstr entries of a .po file from a JSON {msgid: translation} map (translator aid)."""
import sys, json
from babel.messages.pofile import read_po, write_po
po, js = sys.argv[1], sys.argv[2]
tr = json.load(open(js))
with open(po,'rb') as f: cat = read_po(f, locale='it')
n=0
for m in cat:
    if m.id and m.id in tr: m.string = tr[m.id]; n+=1
with open(po,'wb') as f: write_po(f, cat, width=100)
print("filled", n)
