"""Dates and times as the console shows them: 2026-11-30 19:25, narrower than 2026年11月30日
19:25 so list columns fit a 1280 px screen. Input formats stay Django's."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
# grouping only where a template asks for it (floatformat:"2g"); USE_THOUSAND_SEPARATOR is off
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
