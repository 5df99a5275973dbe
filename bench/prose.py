"""Seeded English prose for the scale benchmark: policy reports, some on the speech's own topic.

The word-salad distractors in ``bench_scale`` are the harsh case: a fifth of their words are
made-up syllables, which the embedder's tokenizer breaks into fragments, and such text lands near
almost any question in vector space. A user's real library is grammatical English. These reports
are: short sentences from a small grammar, each report about one of fifteen public-policy topics
(with a fifth of its sentences from another), and one topic in fifteen is the speech's own
(internet governance, cyber security, the digital economy). So the distractors compete with the
speech on its vocabulary and its subject, as other speeches and reports in one collection would.
"""

from __future__ import annotations

import random

# fmt: off
TOPICS: dict[str, list[str]] = {
    "internet": [
        "internet governance", "cyber security", "the digital economy", "broadband access", "data protection",
        "online privacy", "network infrastructure", "cross-border data flows", "cybercrime", "e-commerce",
        "digital skills", "mobile networks", "cloud services", "online platforms", "information security",
    ],
    "health": [
        "primary health care", "hospital capacity", "vaccination", "mental health services",
        "medical training", "the supply of medicines", "maternal health", "disease surveillance",
        "health insurance", "nursing staff",
    ],
    "farming": [
        "crop yields", "irrigation", "rural credit", "seed quality", "livestock health", "farm incomes",
        "food prices", "grain storage", "soil conservation", "agricultural research",
    ],
    "schools": [
        "teacher training", "school buildings", "the curriculum", "vocational education",
        "university funding", "adult literacy", "school meals", "early childhood education", "exam reform",
        "student loans",
    ],
    "trade": [
        "export markets", "customs procedures", "tariffs", "trade agreements", "port capacity",
        "foreign investment", "supply chains", "trade finance", "product standards", "free trade zones",
    ],
    "energy": [
        "the power grid", "solar capacity", "wind farms", "energy efficiency", "fuel subsidies",
        "coal power plants", "electricity prices", "gas pipelines", "energy storage", "nuclear safety",
    ],
    "climate": [
        "carbon emissions", "flood defences", "air quality", "forest cover", "drought planning",
        "climate adaptation", "the carbon market", "coastal erosion", "waste recycling", "clean transport",
    ],
    "transport": [
        "the rail network", "road safety", "public transport", "airport expansion", "urban traffic",
        "freight logistics", "bridge maintenance", "bus services", "shipping routes", "cycling lanes",
    ],
    "finance": [
        "public debt", "tax collection", "bank lending", "the pension system", "inflation",
        "small business credit", "financial regulation", "the state budget", "local government finance",
        "consumer protection",
    ],
    "culture": [
        "museums", "heritage sites", "public libraries", "film production", "the performing arts",
        "cultural exchange", "language teaching", "book publishing", "sports facilities", "local festivals",
    ],
    "science": [
        "basic research", "research funding", "laboratory equipment", "science education", "patent law",
        "space research", "technology transfer", "research ethics", "open data", "scientific cooperation",
    ],
    "water": [
        "drinking water", "sanitation", "river management", "water pricing", "groundwater",
        "wastewater treatment", "dam safety", "water rights", "leak repair", "rainwater harvesting",
    ],
    "housing": [
        "affordable housing", "rental markets", "building standards", "urban planning", "land registration",
        "social housing", "home ownership", "slum upgrading", "construction permits", "housing finance",
    ],
    "labour": [
        "minimum wages", "job training", "workplace safety", "youth unemployment", "labour inspections",
        "migrant workers", "collective bargaining", "job centres", "working hours", "unemployment benefits",
    ],
    "tourism": [
        "visitor numbers", "hotel capacity", "visa rules", "tourist safety", "eco-tourism",
        "travel marketing", "airline routes", "national parks", "tour guide training", "seasonal jobs",
    ],
}

ACTORS = [
    "the ministry", "the national agency", "the regulator", "local authorities", "the provincial government",
    "the central bank", "the committee", "industry groups", "the statistics office", "private firms",
    "international partners", "the development bank", "city councils", "trade unions", "civil society groups",
]
PLACES = [
    "rural areas", "coastal cities", "the capital", "the northern provinces", "the south", "border regions",
    "small towns", "developing countries", "member states", "the region", "mountain districts", "the islands",
]
GROUPS = [
    "farmers", "small businesses", "young people", "families", "workers", "students", "older citizens",
    "consumers", "investors", "women", "local officials", "new arrivals",
]
VERBS = [  # (present, past)
    ("improve", "improved"), ("expand", "expanded"), ("support", "supported"), ("review", "reviewed"),
    ("strengthen", "strengthened"), ("fund", "funded"), ("regulate", "regulated"),
    ("modernise", "modernised"), ("monitor", "monitored"), ("protect", "protected"), ("reform", "reformed"),
    ("simplify", "simplified"),
]
STATES = [
    "a priority", "underfunded", "uneven", "essential", "a concern", "out of date", "too costly",
    "a success", "poorly understood", "in need of reform",
]
BENEFITS = [
    "find work", "compete abroad", "plan for the future", "reach new markets", "stay healthy", "cut costs",
    "share in the benefits of growth", "take part in public life", "save for retirement", "start a business",
]
MONTHS = ["January", "March", "April", "June", "September", "October", "November"]
SENTENCES = [
    "{Actor} will {verb} {thing} in {place} over the next {n} years.",
    "In {year}, {actor} {verbed} {thing} for {group} in {place}.",
    "Spending on {thing} rose by {n} percent last year, according to {actor}.",
    "{Group} in {place} say that {thing} is still {state}.",
    "We must {verb} {thing} so that {group} can {benefit}.",
    "The plan calls on {actor} to {verb} {thing} and to {verb2} {thing2}.",
    "{Thing} has become {state} for {group}, and {actor} has promised to {verb} it.",
    "A new survey finds that {n} percent of {group} in {place} lack access to {thing}.",
    "Without better {thing}, {group} will find it hard to {benefit}.",
    "{Actor} and {actor2} signed an agreement on {thing} in {month} {year}.",
    "Critics argue that {thing} should not come at the expense of {thing2}.",
    "The committee will meet again in {month} to review progress on {thing}.",
    "Pilot projects in {place} show that {thing} can help {group} {benefit}.",
    "{Actor} has set up a fund of {n} million to {verb} {thing}.",
]
# fmt: on


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence(rng: random.Random, topic: str) -> str:
    """One grammatical sentence, mostly about ``topic``."""
    things = TOPICS[topic]
    (verb, verbed), (verb2, _) = rng.sample(VERBS, 2)
    thing, thing2 = rng.sample(things, 2)
    actor, actor2 = rng.sample(ACTORS, 2)
    group = rng.choice(GROUPS)
    fields = {
        "actor": actor, "actor2": actor2, "verb": verb, "verbed": verbed, "verb2": verb2, "thing": thing,
        "thing2": thing2, "place": rng.choice(PLACES), "group": group, "state": rng.choice(STATES),
        "benefit": rng.choice(BENEFITS), "month": rng.choice(MONTHS), "year": rng.randint(1995, 2024),
        "n": rng.randint(2, 60), "Actor": _cap(actor), "Thing": _cap(thing), "Group": _cap(group),
    }  # fmt: skip
    return rng.choice(SENTENCES).format(**fields)


def report(rng: random.Random, number: int, paragraphs: int) -> list[str]:
    """A titled, dated report: ``paragraphs`` paragraphs of 2-5 sentences on one topic (a fifth off it)."""
    topics = sorted(TOPICS)
    topic = rng.choice(topics)
    thing, thing2 = rng.sample(TOPICS[topic], 2)
    lines = [
        f"Report {number}: {_cap(thing)} and {thing2} in {rng.choice(PLACES)}",
        f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(1990, 2024)}",
    ]
    for _ in range(paragraphs):
        sentences = [rng.choice(topics) if rng.random() < 0.2 else topic for _ in range(rng.randint(2, 5))]
        lines.append(" ".join(sentence(rng, about) for about in sentences))
    return lines
