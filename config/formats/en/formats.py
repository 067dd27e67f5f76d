# One date format per language across the booking path (pages, e-mails, API words): English
# dates read "20 March 2027" and times on the 24-hour clock the town's timetables use.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
