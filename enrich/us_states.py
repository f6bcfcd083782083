"""The U.S. states' short forms, so that "Fla.", "FL" and "Florida" are one place.

Local news writes a state three ways: in full, as the AP style abbreviation of a dateline ("Tenn.",
"N.C.") and as the postal code ("BRISTOL, TN"). Each short form maps to the state's name, as
enrich/nlp.canonical_name writes it (lower case, no full stops). Public facts: the U.S. Postal
Service's two-letter codes and the Associated Press's abbreviations (eight states have none).
A short form counts only where the tagger typed the mention a place ("CO" may be a company), and
"LA" is left out: as a place it is as often Los Angeles as Louisiana.
"""

from __future__ import annotations

# state: (AP abbreviation or "", postal code)
_STATES = {
    "alabama": ("ala", "al"), "alaska": ("", "ak"), "arizona": ("ariz", "az"), "arkansas": ("ark", "ar"),
    "california": ("calif", "ca"), "colorado": ("colo", "co"), "connecticut": ("conn", "ct"),
    "delaware": ("del", "de"), "florida": ("fla", "fl"), "georgia": ("ga", "ga"), "hawaii": ("", "hi"),
    "idaho": ("", "id"), "illinois": ("ill", "il"), "indiana": ("ind", "in"), "iowa": ("", "ia"),
    "kansas": ("kan", "ks"), "kentucky": ("ky", "ky"), "louisiana": ("", ""), "maine": ("", "me"),
    "maryland": ("md", "md"), "massachusetts": ("mass", "ma"), "michigan": ("mich", "mi"),
    "minnesota": ("minn", "mn"), "mississippi": ("miss", "ms"), "missouri": ("mo", "mo"),
    "montana": ("mont", "mt"), "nebraska": ("neb", "ne"), "nevada": ("nev", "nv"),
    "new hampshire": ("nh", "nh"), "new jersey": ("nj", "nj"), "new mexico": ("nm", "nm"),
    "new york": ("ny", "ny"), "north carolina": ("nc", "nc"), "north dakota": ("nd", "nd"),
    "ohio": ("", "oh"), "oklahoma": ("okla", "ok"), "oregon": ("ore", "or"), "pennsylvania": ("pa", "pa"),
    "rhode island": ("ri", "ri"), "south carolina": ("sc", "sc"), "south dakota": ("sd", "sd"),
    "tennessee": ("tenn", "tn"), "texas": ("", "tx"), "utah": ("", "ut"), "vermont": ("vt", "vt"),
    "virginia": ("va", "va"), "washington": ("wash", "wa"), "west virginia": ("wva", "wv"),
    "wisconsin": ("wis", "wi"), "wyoming": ("wyo", "wy"),
}
# "La." (AP) and "LA" read the same once the full stop is gone, so Louisiana keeps its name only.
SHORT_FORMS: dict[str, str] = {short: state for state, forms in _STATES.items() for short in forms if short}


def state_name(key: str) -> str:
    """The state a place's canonical name abbreviates, or the name unchanged."""
    return SHORT_FORMS.get(key, key)
