"""The second bundled corpus (data/regulations): files as received, hierarchy as declared."""

import csv

from bizenv_analysis.base.paths import REGULATIONS
from bizenv_analysis.io.hierarchy import hierarchy_from, hierarchy_table
from bizenv_analysis.io.sources import load_raw_documents, sha256_of

MANIFEST = list(csv.DictReader((REGULATIONS / "manifest.csv").open(encoding="utf-8")))


def test_every_file_is_the_upstream_file_byte_for_byte():
    raws = load_raw_documents(REGULATIONS)  # verifies sources.csv's sha256 against each file
    assert [r.source_id for r in raws] == [m["source_id"] for m in MANIFEST]
    for raw, m in zip(raws, MANIFEST, strict=True):
        assert sha256_of(raw.path) == m["sha256"] == raw.meta["sha256"]
        assert raw.meta["upstream_path"] == m["upstream_path"] and raw.meta["date"] == m["version_date"]
    assert sorted(p.name for p in (REGULATIONS / "raw").iterdir()) == sorted(f"{m['source_id']}.md" for m in MANIFEST)
    assert sum(int(m["articles"]) for m in MANIFEST) == 799


def test_the_hierarchy_is_the_one_the_laws_declare():
    raws = load_raw_documents(REGULATIONS)
    h = hierarchy_from(raws)
    provinces = {"beijing-2020", "shanghai-2020", "shanghai-2024", "shandong-2020", "henan-2020",
                 "chongqing-2021", "guangdong-2022"}
    assert {s for s, p in h.parent.items() if p == "cn-national-2019"} == provinces
    assert {s for s, p in h.parent.items() if p == "shandong-2020"} == {"qingdao-2021", "dezhou-2021", "yantai-2021"}
    assert {s for s, p in h.parent.items() if p == "henan-2020"} == {"shangqiu-2020"}
    assert h.version_of == {"shanghai-2024": "shanghai-2020"}
    table = hierarchy_table(raws).set_index("source_id")
    assert set(table["root"]) == {"cn-national-2019"}
    assert table["depth"].value_counts().sort_index().tolist() == [1, 7, 4]
    # Shangqiu's law (2020-04-20) predates Henan's (2020-11-28); no other text predates its parent.
    assert table.index[table["before_parent"]].tolist() == ["shangqiu-2020"]
    assert table.loc["shanghai-2024", "adopted"] == "2020-04-10" and table.loc["dezhou-2021", "adopted"] == "2021-07-27"
