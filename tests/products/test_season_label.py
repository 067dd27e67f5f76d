"""上市月份 reads 全年 when a product is in season all twelve months (issue 20, item 9)."""

from django.utils import translation

from products.selectors import month_names


def test_all_twelve_months_read_all_year():
    with translation.override("zh-hans"):
        assert month_names(list(range(1, 13))) == ["全年"]
        assert month_names([6, 7, 8]) == ["六月", "七月", "八月"]
        assert month_names([]) == []
    with translation.override("en"):
        assert month_names(list(range(12, 0, -1))) == ["All year"]
