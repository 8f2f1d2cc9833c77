"""Chinese numerals read by hand (base.numerals.cn_int), and the readers that use it."""

import pytest

from bizenv_analysis.base.numerals import cn_int
from bizenv_analysis.io.dates import read_date
from bizenv_analysis.text.outline import cn_number


@pytest.mark.parametrize(("text", "value"), [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("九十九", 99), ("一百零五", 105), ("一百一十", 110),
    ("一千零五", 1005), ("两千", 2000), ("三万五千", 35000), ("十万", 100000), ("一亿零五", 100000005),
    ("二〇二三", 2023), ("二零一九", 2019), ("〇", 0), ("2023", 2023), ("07", 7),
])
def test_numerals_by_hand(text, value):
    assert cn_int(text) == value


@pytest.mark.parametrize("text", ["", "第一", "一a", "3万"])
def test_anything_else_is_no_number(text):
    assert cn_int(text) is None


def test_the_headings_and_the_dates_read_numbers_the_same_way():
    assert [cn_number(s) for s in ("一百零五", "十二", "③", "12")] == [105, 12, 3, 12]
    assert read_date("二〇二三年十二月二十日") == "2023-12-20" and read_date("2019年5月") == "2019-05"
    with pytest.raises(ValueError, match="is not a number"):
        cn_number("第")
