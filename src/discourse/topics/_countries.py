"""Country names, demonyms and capitals: an optional drop list for topic models.

In corpora of speeches by many countries (the UN General Debate has 193 speakers a
year) every speaker names itself and its neighbours, and unsupervised topics then
become "the Pacific islands topic" or "the Balkans topic" rather than subjects.
``TopicModel(drop_countries=True)`` (the default) removes these names from the
vocabulary. The list is ours (written for this package), lower-case, one name per
entry; multi-word names are phrases. Continents and regions (Africa, Europe,
Pacific, Middle East...) are deliberately *not* listed: they name subjects.

Tokens of multi-word names are dropped individually except the generic words in
:data:`GENERIC_NAME_TOKENS` ("south", "republic", "united"...), which keep their
other meanings; the whole name is also dropped when it is joined into a collocation
(``united_states``).
"""

from __future__ import annotations

from discourse.text import tokenize

COUNTRIES: tuple[str, ...] = (
    "afghanistan", "albania", "algeria", "andorra", "angola", "antigua and barbuda",
    "antigua", "barbuda", "argentina", "armenia", "australia", "austria", "azerbaijan",
    "bahamas", "bahrain", "bangladesh", "barbados", "belarus", "belgium", "belize",
    "benin", "bhutan", "bolivia", "bosnia and herzegovina", "bosnia", "herzegovina",
    "botswana", "brazil", "brunei darussalam", "brunei", "bulgaria", "burkina faso",
    "burundi", "cabo verde", "cape verde", "cambodia", "cameroon", "canada",
    "central african republic", "chad", "chile", "china", "colombia", "comoros", "congo",
    "costa rica", "cote d ivoire", "côte d ivoire", "ivory coast", "croatia", "cuba",
    "cyprus", "czechia", "czech republic", "czechoslovakia", "democratic people s republic of korea",
    "democratic republic of the congo", "denmark", "djibouti", "dominica",
    "dominican republic", "ecuador", "egypt", "el salvador", "equatorial guinea",
    "eritrea", "estonia", "eswatini", "swaziland", "ethiopia", "fiji", "finland", "france",
    "gabon", "gambia", "georgia", "germany", "ghana", "greece", "grenada", "guatemala",
    "guinea", "guinea bissau", "guyana", "haiti", "honduras", "hungary", "iceland", "india",
    "indonesia", "iran", "iraq", "ireland", "israel", "italy", "jamaica", "japan", "jordan",
    "kazakhstan", "kenya", "kiribati", "kuwait", "kyrgyzstan", "kyrgyz republic",
    "lao people s democratic republic", "laos", "latvia", "lebanon", "lesotho", "liberia",
    "libya", "libyan arab jamahiriya", "liechtenstein", "lithuania", "luxembourg",
    "madagascar", "malawi", "malaysia", "maldives", "mali", "malta", "marshall islands",
    "mauritania", "mauritius", "mexico", "micronesia", "monaco", "mongolia", "montenegro",
    "morocco", "mozambique", "myanmar", "burma", "namibia", "nauru", "nepal", "netherlands",
    "new zealand", "nicaragua", "niger", "nigeria", "north macedonia", "macedonia",
    "norway", "oman", "pakistan", "palau", "palestine", "panama", "papua new guinea", "papua",
    "paraguay", "peru", "philippines", "poland", "portugal", "qatar", "republic of korea",
    "korea", "republic of moldova", "moldova", "romania", "russian federation", "russia",
    "rwanda", "saint kitts and nevis", "kitts", "nevis", "saint lucia", "lucia",
    "saint vincent and the grenadines", "grenadines", "samoa", "san marino", "marino",
    "sao tome and principe", "tome", "principe", "saudi arabia", "saudi", "senegal", "serbia",
    "seychelles", "sierra leone", "singapore", "slovakia", "slovenia", "solomon islands",
    "somalia", "south africa", "south sudan", "spain", "sri lanka", "sudan", "suriname",
    "sweden", "switzerland", "syria", "syrian arab republic", "tajikistan", "tanzania",
    "united republic of tanzania", "thailand", "timor leste", "east timor", "togo", "tonga",
    "trinidad and tobago", "trinidad", "tobago", "tunisia", "turkey", "türkiye", "turkiye",
    "turkmenistan", "tuvalu", "uganda", "ukraine", "united arab emirates", "emirates",
    "united kingdom", "great britain", "britain", "england", "scotland", "united states",
    "united states of america", "america", "usa", "uk", "uae", "ussr", "soviet union",
    "uruguay", "uzbekistan", "vanuatu", "venezuela", "viet nam", "vietnam", "yemen",
    "yugoslavia", "zambia", "zaire", "zimbabwe", "holy see", "vatican", "kosovo", "taiwan",
    "european union",
)

DEMONYMS: tuple[str, ...] = (
    "afghan", "afghans", "albanian", "albanians", "algerian", "algerians", "angolan",
    "argentine", "argentinian", "argentinians", "armenian", "armenians", "australian",
    "australians", "austrian", "azerbaijani", "azerbaijanis", "bahamian", "bahraini",
    "bangladeshi", "bangladeshis", "barbadian", "belarusian", "belgian", "belizean",
    "beninese", "bhutanese", "bolivian", "bosnian", "bosnians", "botswanan", "brazilian",
    "brazilians", "bruneian", "bulgarian", "burkinabe", "burundian", "cambodian",
    "cambodians", "cameroonian", "canadian", "canadians", "chadian", "chilean",
    "chileans", "chinese", "colombian", "colombians", "comorian", "congolese",
    "costa rican", "ivorian", "croatian", "croatians", "croat", "croats", "cuban",
    "cubans", "cypriot", "cypriots", "czech", "danish", "djiboutian", "dominican",
    "ecuadorian", "egyptian", "egyptians", "salvadoran", "eritrean", "eritreans",
    "estonian", "ethiopian", "ethiopians", "fijian", "fijians", "finnish", "french",
    "gabonese", "gambian", "georgian", "georgians", "german", "germans", "ghanaian",
    "ghanaians", "greek", "greeks", "grenadian", "guatemalan", "guatemalans", "guinean",
    "guyanese", "haitian", "haitians", "honduran", "hungarian", "icelandic", "indian",
    "indians", "indonesian", "indonesians", "iranian", "iranians", "iraqi", "iraqis",
    "irish", "israeli", "israelis", "italian", "italians", "jamaican", "jamaicans",
    "japanese", "jordanian", "kazakh", "kazakhstani", "kenyan", "kenyans", "kuwaiti",
    "kyrgyz", "lao", "latvian", "lebanese", "liberian", "liberians", "libyan", "libyans",
    "lithuanian", "luxembourgish", "malagasy", "malawian", "malaysian", "malaysians",
    "maldivian", "malian", "malians", "maltese", "marshallese", "mauritanian",
    "mauritian", "mexican", "mexicans", "micronesian", "monegasque", "mongolian",
    "montenegrin", "moroccan", "mozambican", "myanmar", "namibian", "namibians",
    "nauruan", "nepalese", "nepali", "dutch", "nicaraguan", "nigerien", "nigerian",
    "nigerians", "macedonian", "norwegian", "omani", "pakistani", "pakistanis",
    "palauan", "palestinian", "palestinians", "panamanian", "paraguayan", "peruvian",
    "filipino", "filipinos", "polish", "poles", "portuguese", "qatari", "korean",
    "koreans", "moldovan", "romanian", "romanians", "russian", "russians", "rwandan",
    "rwandans", "samoan", "saudis", "senegalese", "serbian", "serbs", "serb", "seychellois",
    "sierra leonean", "singaporean", "singaporeans", "slovak", "slovakian", "slovenian",
    "somali", "somalis", "sudanese", "spanish", "spaniards", "sri lankan", "surinamese",
    "swedish", "swiss", "syrian", "syrians", "tajik", "tanzanian", "thai", "togolese",
    "tongan", "trinidadian", "tunisian", "tunisians", "turkish", "turks", "turkmen",
    "tuvaluan", "ugandan", "ugandans", "ukrainian", "ukrainians", "emirati", "british",
    "american", "americans", "uruguayan", "uzbek", "vanuatuan", "venezuelan",
    "venezuelans", "vietnamese", "yemeni", "yemenis", "yugoslav", "zambian", "zambians",
    "zimbabwean", "zimbabweans", "kosovar", "soviet", "taiwanese",
)

CAPITALS: tuple[str, ...] = (
    "kabul", "tirana", "algiers", "luanda", "buenos aires", "yerevan", "canberra", "vienna",
    "baku", "nassau", "manama", "dhaka", "minsk", "brussels", "thimphu", "sarajevo",
    "gaborone", "brasilia", "sofia", "ouagadougou", "bujumbura", "phnom penh", "yaounde",
    "ottawa", "ndjamena", "santiago", "beijing", "bogota", "kinshasa", "brazzaville",
    "zagreb", "havana", "nicosia", "prague", "copenhagen", "quito", "cairo", "asmara",
    "tallinn", "addis ababa", "suva", "helsinki", "paris", "libreville", "banjul", "tbilisi",
    "berlin", "accra", "athens", "conakry", "bissau", "georgetown", "tegucigalpa",
    "budapest", "reykjavik", "new delhi", "jakarta", "tehran", "baghdad", "dublin",
    "jerusalem", "rome", "kingston", "tokyo", "amman", "astana", "nairobi", "pyongyang",
    "seoul", "bishkek", "vientiane", "riga", "beirut", "maseru", "monrovia", "tripoli",
    "vilnius", "antananarivo", "lilongwe", "kuala lumpur", "bamako", "valletta",
    "nouakchott", "mexico city", "chisinau", "ulaanbaatar", "podgorica", "rabat", "maputo",
    "naypyidaw", "windhoek", "kathmandu", "amsterdam", "wellington", "managua", "niamey",
    "abuja", "skopje", "oslo", "muscat", "islamabad", "lima", "manila", "warsaw", "lisbon",
    "doha", "bucharest", "moscow", "kigali", "riyadh", "dakar", "belgrade", "freetown",
    "bratislava", "ljubljana", "mogadishu", "pretoria", "juba", "madrid", "colombo",
    "khartoum", "paramaribo", "stockholm", "damascus", "dushanbe", "dodoma", "bangkok",
    "dili", "lome", "tunis", "ankara", "ashgabat", "kampala", "kyiv", "kiev", "abu dhabi",
    "london", "washington", "montevideo", "tashkent", "caracas", "hanoi", "sanaa", "lusaka",
    "harare",
)

#: Tokens of multi-word names that are kept because they have other meanings.
GENERIC_NAME_TOKENS: frozenset[str] = frozenset(
    """and of the s d new united republic democratic people south north east west central
    islands island saint san great arab union federation kingdom states state america
    african arabia coast city holy see lucia""".split()
)


def country_terms(*, capitals: bool = False) -> tuple[frozenset[str], frozenset[str]]:
    """Return ``(tokens, phrases)`` to drop.

    ``tokens`` are single lower-case tokens (names, demonyms, the distinctive tokens of
    multi-word names); ``phrases`` are multi-word names joined with ``_`` as the topic
    vocabulary joins collocations (``united_states``).
    """
    names = COUNTRIES + DEMONYMS + (CAPITALS if capitals else ())
    tokens: set[str] = set()
    phrases: set[str] = set()
    for name in names:
        toks = tokenize(name)
        if len(toks) == 1:
            tokens.add(toks[0])
        else:
            phrases.add("_".join(toks))
            tokens.update(t for t in toks if t not in GENERIC_NAME_TOKENS and len(t) > 1)
    return frozenset(tokens), frozenset(phrases)
