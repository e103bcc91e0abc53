# British dates for the English interface ("27 March 2018"); Django's "en" default is
# American ("March 27, 2018"). Russian uses Django's own "ru" formats ("27 марта 2018 г.").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
