"""The legal hierarchy of sources.csv (io.hierarchy): checks, refusals and hierarchy.csv, by hand."""

from pathlib import Path

import pytest

from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.io.hierarchy import HIERARCHY_TABLE_COLUMNS, Hierarchy, hierarchy_from, hierarchy_table
from bizenv_analysis.io.sources import read_sources

HEAD = ("source_id,file,title,issuer,place,admin_level,province,date,date_note,doc_type,script,sha256,"
        "parent,version_of,adopted")
# A national text, a province dated after one of its cities, two cities, and a revision of the province's law.
ROWS = [
    "nat,raw/nat.md,条例,国务院,全国,national,,2019-10-22,,regulation,simplified,,,,",
    "prov,raw/prov.md,省条例,省人大,甲省,province,甲省,2020-11-28,,regulation,simplified,,nat,,",
    "city1,raw/city1.md,市条例,市人大,乙市,city,甲省,2020-04-20,,regulation,simplified,,prov,,",
    "city2,raw/city2.md,市条例,市人大,丙市,city,甲省,2021-01-28,,regulation,simplified,,prov,,",
    "prov2,raw/prov2.md,省条例,省人大,甲省,province,甲省,2024-09-27,,regulation,simplified,,nat,prov,2020年11月28日",
]


class Raw:
    def __init__(self, meta: dict) -> None:
        self.source_id, self.meta = meta["source_id"], meta


def sources(tmp_path: Path, rows: list[str]) -> Path:
    (tmp_path / "sources.csv").write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    return tmp_path


def raws(tmp_path: Path, rows: list[str] = ROWS) -> list[Raw]:
    return [Raw(r.to_dict()) for _, r in read_sources(sources(tmp_path, rows)).iterrows()]


def test_the_tree_by_hand(tmp_path):
    h = hierarchy_from(raws(tmp_path))
    assert h.declared()
    assert h.ancestors("city1") == ["prov", "nat"] and h.root("city1") == "nat" and h.root("nat") == "nat"
    assert h.version_of == {"prov2": "prov"} and h.level["city2"] == "city"


def test_the_table_by_hand(tmp_path):
    table = hierarchy_table(raws(tmp_path)).set_index("source_id")
    assert list(table.reset_index().columns) == HIERARCHY_TABLE_COLUMNS
    assert table["depth"].to_dict() == {"nat": 0, "prov": 1, "city1": 2, "city2": 2, "prov2": 1}
    assert set(table["root"]) == {"nat"}
    # city1 (2020-04-20) adopted its regulation before its province did (2020-11-28): the only one.
    assert table.index[table["before_parent"]].tolist() == ["city1"]
    assert table.loc["prov2", "adopted"] == "2020-11-28"  # read from Chinese to ISO form


def test_no_columns_no_hierarchy(tmp_path):
    plain = [",".join(r.split(",")[:12]) for r in ROWS]
    (tmp_path / "sources.csv").write_text("\n".join([HEAD.rsplit(",", 3)[0], *plain]) + "\n", encoding="utf-8")
    got = [Raw(r.to_dict()) for _, r in read_sources(tmp_path).iterrows()]
    assert not hierarchy_from(got).declared() and hierarchy_from(got).root("city1") == "city1"
    assert Hierarchy().ancestors("x") == []
    assert not hierarchy_table(got)["before_parent"].any()


@pytest.mark.parametrize(("change", "message"), [
    ((1, "nat", "prov"), r"line 3: .*prov names itself as its parent"),
    ((1, "nat", "nowhere"), r"line 3: parent 'nowhere' of prov is no source_id"),
    ((0, ",,,,", ",,city1,,"), r"line 2: the parents of nat loop: nat → city1 → prov → nat"),
    ((4, ",prov,", ",city2,"), r"line 6: prov2 \(甲省\) is given as a version of city2 \(丙市\)"),
    ((4, "2024-09-27", "2019-01-01"), r"line 6: prov2 \(dated 2019-01-01\) is given as a version of prov "
                                      r"\(dated 2020-11-28\): a revision comes after"),
    ((4, "2020年11月28日", "2020-13-01"), r"line 6: adopted '2020-13-01' of prov2 is not a date"),
])
def test_a_hierarchy_that_cannot_be_followed_is_refused(tmp_path, change, message):
    index, old, new = change
    rows = list(ROWS)
    rows[index] = rows[index].replace(old, new, 1) if old != "nat" else rows[index].replace(",nat,", f",{new},")
    with pytest.raises(BuildError, match=message) as err:
        read_sources(sources(tmp_path, rows))
    assert err.value.path.endswith("sources.csv") and err.value.fix
