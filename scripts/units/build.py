#!/usr/bin/env python3
"""Builds data/admin_units/communes.csv: the communes of the programme's ten provinces before the
2025 reform and the communes that succeeded them on 2025-07-01.

Sources (public facts; see data/admin_units/README.md):
  * the old -> new commune mapping of github.com/dvhcvn/20250701 (mapping/splits.json), built from
    the GSO list of 2025-03-01 and Resolutions 1654..1687/NQ-UBTVQH15;
  * the new communes' codes and names of GSO Official Letter 1027/CTK-CSCL (25 June 2025),
    as converted in that repository (input/docs/1027_CTK-CSCL.md).

Usage: build.py SPLITS_JSON CTK_1027_MD > data/admin_units/communes.csv
Only the standard library; the output is sorted and stable, so a rebuild shows a clean diff.
"""
import csv
import json
import re
import sys
import unicodedata

# GSO codes of the ten provinces of the "Bác sĩ cho mọi nhà" programme, before the reform.
TEN = {"02", "06", "20", "10", "12", "15", "72", "93", "83", "96"}
VALID_FROM, REFORM = "2008-08-01", "2025-07-01"


def nfc(s):
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", s.replace("<br>", " ")).strip())


def new_names(md_path):
    names = {}
    for line in open(md_path, encoding="utf-8"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"\d{5}", cells[1]):
            names[cells[1]] = nfc(cells[2])
    return names


def main():
    splits = json.load(open(sys.argv[1], encoding="utf-8"))["data"]
    official = new_names(sys.argv[2])
    rows, new = [], {}
    # How many old provinces each new one was formed from: one means it went on unchanged.
    sources = {}
    for p in splits:
        sources[p["splits"][0]["new_id"]] = sources.get(p["splits"][0]["new_id"], 0) + 1
    for p in splits:
        if p["level1_id"] not in TEN:
            continue
        new_prov = p["splits"][0]["new_id"]
        # A province that went on unchanged keeps its unit and code; a merged one is a new unit
        # "2025-NN" with the code of GSO Official Letter 915/CTK-CSCL.
        parent_new = new_prov if sources[new_prov] == 1 else "2025-" + new_prov
        for c in p["level3s"]:
            succ = [s["new_id"] for s in c["splits"]]
            for s in c["splits"]:
                new[s["new_id"]] = (official.get(s["new_id"], nfc(s["name"])), parent_new)
            note = ""
            if len(succ) > 1:
                note = "chia cho / split among: " + " ".join("2025-" + x for x in succ)
            rows.append([c["level3_id"], nfc(c["name"]), p["level1_id"], VALID_FROM, REFORM,
                         "2025-" + succ[0] if succ else "", note])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "parent_code", "valid_from", "valid_to", "successor_code", "note"])
    for code, (name, parent) in sorted(new.items()):
        out.writerow(["2025-" + code, name, parent, REFORM, "", "", ""])
    for r in sorted(rows):
        out.writerow(r)


if __name__ == "__main__":
    main()
