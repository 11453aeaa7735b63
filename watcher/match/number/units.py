"""Units of measure after a number: written out ("40 kilometres"), abbreviated ("40 km") or glued ("4km^3")."""

from __future__ import annotations

import re

# Glued to the digits ("75ml", "200lbs", "24703m2", "4km^3"): unit symbols, matched case-insensitively
# after scales ("10M", "2bn") and ordinals ("21st") have had their turn.
_SPACED = (  # also after a space: "40 km", "5 kg"
    "km nmi ft yd cm mm dm µm m mg kg lb lbs oz kt ml cl dl ltr gal bbl bpd ha sqm sqft sqkm cc mph kph kmh "
    "kw mw gw kwh mwh gwh twh kv hz khz mhz ghz kb mb gb tb pb kbps mbps gbps kcal kj psi hp atm mah"
).split()
_SYMBOLS = _SPACED + "mi nm um in g st t mt l rad deg kn w v j hp cal sec secs min mins hr hrs h yr yrs yo".split()
_EXPONENT = r"(?:\^?[23]|[²³])"
# A glued suffix: letters (and µ, °) with an optional exponent. What it is gets decided in parse.py.
SUFFIX = rf"[A-Za-zµ]+{_EXPONENT}?"
ATTACHED = frozenset(_SYMBOLS) | {u + e for u in ("m", "km", "cm", "mm", "ft", "mi", "yd", "in") for e in
                                  ("2", "3", "^2", "^3", "²", "³")}

# Written after the number, with or without a space ("40 km", "40 kilometres", "-15 °C", "5 sq ft").
_LONG = (
    r"square\s+(?:kilomet(?:re|er)s?|miles?|met(?:re|er)s?|feet|foot|yards?|inch(?:es)?)|"
    r"cubic\s+(?:kilomet(?:re|er)s?|met(?:re|er)s?|centimet(?:re|er)s?|feet|foot|yards?|inch(?:es)?|miles?)|"
    r"sq\.?\s*(?:km|mi|m|ft|yd|in)|nautical\s+miles?|light[\s-]+years?|"
    r"(?:kilo|centi|milli|deci|micro|nano)?met(?:re|er)s?|microns?|kilos?|(?:kilo|milli|micro)?grams?|grammes?|"
    r"(?:metric\s+)?tonnes?|(?:metric\s+)?tons?|bar|atmospheres?|(?:kilo|mega|hecto)?pascals?|newtons?|"
    r"(?:milli|centi|deci)?lit(?:re|er)s?|gallons?|barrels?|pints?|quarts?|bushels?|"
    r"miles?|feet|foot|inch(?:es)?|yards?|hectares?|acres?|pounds?|ounces?|stones?|carats?|"
    r"(?:kilo|mega|giga|tera)?watt(?:[\s-]hours?)?s?|horsepower|volts?|amps?|hertz|"
    r"(?:kilo|mega|giga|tera|peta)?bytes?|(?:kilo|mega|giga)?bits?|"
    r"knots?|calories?|kilocalories?|joules?|kilojoules?|megatons?|kilotons?|"
    r"degrees?(?:\s+(?:celsius|centigrade|fahrenheit|kelvin|c|f))?|celsius|fahrenheit|kelvin|radians?|"
    r"calibre|caliber|bcm|teaspoons?|tablespoons?|cups?"
)
MEASURE_AFTER = re.compile(
    rf"(?:\s*|\s*-\s*)(?P<u>(?i:{_LONG})\b|(?i:(?:{'|'.join(sorted(_SPACED, key=len, reverse=True))})"
    rf"{_EXPONENT}?)(?![\w])|km/h|m/s|(?:V|W|mA|kPa|MPa|hPa|Pa)(?![\w]))"  # the last ones: case as written
    r"|\s*(?P<deg>°\s?[CFK]?)"
)
# "5 ft 2 in", "5 feet and 2 inches": one length in feet.
FEET_INCHES = re.compile(r"\s*(?:and\s+)?(?P<n>\d{1,2}(?:\.\d+)?)\s*(?:in|inch(?:es)?|\"|″)(?![\w])")
FEET = frozenset({"ft", "feet", "foot"})
# Right after "1.8m", these make the m metres; a plural noun makes it million ("2.3m people").
PLURAL_EXCEPTIONS = frozenset({"people", "children", "men", "women", "staff", "personnel", "cattle", "livestock"})
# Durations: a number of time units is an amount of time (a measure), not a count: "in 5 minutes", "the next
# 3 business days", "for 2.5 hrs". The hyphenated adjective ("a 45-year-old", "a 10-year plan") stays a count.
DURATION_AFTER = re.compile(
    r"\s+(?:(?i:next|last|past|previous|coming|upcoming|following|business|working|consecutive|straight|more|"
    r"full|whole|calendar|additional|extra|long|short)\s+)?"
    r"(?P<t>(?i:seconds?|secs?|minutes?|mins?|hours?|hrs?|hr|days?|nights?|weeks?|wks?|months?|mos|years?|"
    r"yrs?|decades?|centuries|century|fortnights?|min))\b"
)
