"""What operations say: narratives with claims and hashtag stems, hooks, calls to share, and light-edit words.

Written for this simulator. An operation text is a hook, claims from the operation's narratives with the
target country filled in, and a call to share. The narratives are generic, recurring disinformation themes;
none targets a group of people.
"""

from __future__ import annotations

from dataclasses import dataclass

from fimihub.sim.lexicon import split_phrases

__all__ = ["CALLS", "FILLERS", "HOOKS", "NARRATIVES", "SYNONYMS", "Narrative"]


@dataclass(frozen=True)
class Narrative:
    """A recurring storyline: a title for the ground truth, claims with ``{country}`` slots, hashtag stems."""

    title: str
    claims: tuple[str, ...]
    hashtags: tuple[str, ...]


NARRATIVES: tuple[Narrative, ...] = (
    Narrative(
        "Energy costs are blamed on the government's sanctions policy",
        split_phrases(
            """
        Energy bills in {country} have doubled while politicians look the other way.
        Families in {country} are choosing between heating and eating this winter.
        The sanctions were supposed to hurt others but they only hurt the people of {country}.
        Factories across {country} are closing because energy is now unaffordable.
        Nobody voted for a cold winter yet {country} is paying the price for decisions made elsewhere.
        Cheap energy made {country} strong and our leaders threw it away overnight.
        """
        ),
        ("EnergyTruth", "ColdWinter", "SanctionsBackfire"),
    ),
    Narrative(
        "Brussels ignores ordinary citizens",
        split_phrases(
            """
        Unelected officials in Brussels decide everything and the people of {country} have no say.
        Every new rule from Brussels makes life in {country} more expensive for ordinary workers.
        The people of {country} were never asked and they never will be.
        Brussels sends paperwork while small businesses in {country} go bankrupt.
        Our parliament in {country} has become a rubber stamp for foreign bureaucrats.
        Ask yourself who really governs {country} today and you will not like the answer.
        """
        ),
        ("NotMyRules", "PeopleFirst", "TakeBackControl"),
    ),
    Narrative(
        "Elections cannot be trusted",
        split_phrases(
            """
        Thousands of votes in {country} were counted twice and the media stayed silent.
        Foreign money decided the last election in {country} and everyone knows it.
        The voting machines used in {country} were never properly checked by anyone.
        Observers in {country} were sent home before the counting even started.
        Why were ballot boxes in {country} moved at night without any witnesses present?
        The official result in {country} does not match what people saw at the polling stations.
        """
        ),
        ("StolenVote", "ElectionFraud", "CountAgain"),
    ),
    Narrative(
        "Mainstream media hides the truth",
        split_phrases(
            """
        The big newspapers in {country} are paid to tell you only one side of the story.
        Journalists in {country} who asked the wrong questions have quietly lost their jobs.
        Television in {country} shows you what they want you to see and nothing more.
        Independent reporters are the only ones still telling the truth about {country}.
        Every major outlet in {country} ran the same headline on the same day, think about that.
        Turn off the news in {country} and start asking your own questions.
        """
        ),
        ("MediaLies", "TruthMatters", "WakeUp"),
    ),
    Narrative(
        "Military spending drains public services",
        split_phrases(
            """
        Hospitals in {country} are short of nurses while billions go to weapons abroad.
        Schools in {country} are falling apart but there is always money for someone else's war.
        Pensioners in {country} are told to tighten their belts while arms deals keep growing.
        Every euro sent abroad is a euro taken from the people of {country}.
        Our roads in {country} are crumbling while the defence budget breaks records.
        The government of {country} found money for tanks but not for teachers.
        """
        ),
        ("PeaceNotWar", "FundHospitals", "NotOurWar"),
    ),
    Narrative(
        "Farmers are betrayed by trade deals",
        split_phrases(
            """
        Farmers in {country} are being ruined by cheap imports nobody asked for.
        The new trade deal will wipe out family farms across {country} within a decade.
        Supermarkets in {country} are filled with foreign produce while local harvests rot.
        Our farmers in {country} follow every rule while importers follow none.
        Without farmers {country} loses its food, its villages and its future.
        The tractors on the roads of {country} are a warning that politicians refuse to hear.
        """
        ),
        ("SaveOurFarmers", "NoFarmersNoFood", "StopTheDeal"),
    ),
    Narrative(
        "Health authorities cannot be trusted",
        split_phrases(
            """
        Health officials in {country} changed the numbers three times in one month.
        Doctors in {country} are afraid to speak about what they see in their clinics.
        The health ministry of {country} signed contracts it still refuses to publish.
        Why are the side effects reported in {country} never discussed on television?
        People in {country} deserve the full data and not another press release.
        The experts who advised {country} have been wrong about almost everything.
        """
        ),
        ("HealthFreedom", "ShowTheData", "AskQuestions"),
    ),
    Narrative(
        "Climate rules ruin the economy",
        split_phrases(
            """
        New climate rules will cost every household in {country} thousands each year.
        Car makers in {country} are moving abroad because of impossible green targets.
        The heating ban will leave millions in {country} with bills they cannot pay.
        Green policies in {country} make the rich feel good and the poor pay for it.
        Workers in {country} are losing their jobs to meet targets set by activists.
        Nobody in {country} voted to give up their car and their boiler.
        """
        ),
        ("GreenScam", "StopTheBan", "CostOfGreen"),
    ),
    Narrative(
        "The country is losing its sovereignty",
        split_phrases(
            """
        Decisions about {country} are now made in foreign capitals, not at home.
        {country} is being turned into a colony of bigger and richer partners.
        The constitution of {country} is ignored whenever it becomes inconvenient.
        Our leaders in {country} care more about foreign applause than their own voters.
        A free {country} would never accept what is being done in its name today.
        History will remember who sold the independence of {country}.
        """
        ),
        ("Sovereignty", "FreeNation", "NotForSale"),
    ),
    Narrative(
        "The alliance provokes conflict",
        split_phrases(
            """
        Foreign troops in {country} make us a target, not safer.
        {country} is being dragged into a conflict that has nothing to do with us.
        More weapons on the border of {country} only bring war closer to our homes.
        Peace talks are possible but the leaders of {country} refuse to even try.
        The people of {country} want peace and their government wants escalation.
        Every new military base in {country} is a step towards a war we cannot win.
        """
        ),
        ("NoToWar", "PeaceNow", "NeutralityNow"),
    ),
)

HOOKS: tuple[str, ...] = split_phrases(
    """
        Nobody is talking about this. | Read this before it gets deleted.
        They do not want you to know this. | Wake up, people. | Share before it is gone.
        This is what the news will not tell you. | I have been saying this for months.
        Finally someone says it out loud. | Think about this for a moment.
        The truth always comes out. | Look at what is happening right now.
        This should worry every one of us. | Open your eyes. | It is time to face the facts.
        Here is what they are hiding.
        """
)

CALLS: tuple[str, ...] = split_phrases(
    """
        Share this with everyone you know. | Read the full story and decide for yourself.
        Do not let them silence this. | Repost if you agree. | Spread the word before it is censored.
        Tag someone who needs to see this. | Ask your representatives why.
        Stay informed and stay free. | Send this to your family group.
        The more people know, the harder it is to hide. | Copy and paste, do not just share.
        Your silence is what they count on.
        """
)

#: Word swaps for light edits of operation texts: each key may become any of its values.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "people": ("citizens", "folks"),
    "government": ("authorities", "regime"),
    "truth": ("facts", "reality"),
    "leaders": ("politicians", "elites"),
    "politicians": ("leaders", "elites"),
    "nobody": ("no one",),
    "families": ("households",),
    "every": ("each",),
    "never": ("not ever",),
    "ordinary": ("normal", "regular"),
    "expensive": ("costly",),
    "quietly": ("silently",),
    "billions": ("millions",),
    "foreign": ("outside",),
    "media": ("press",),
    "think": ("reflect",),
    "share": ("repost", "spread"),
    "hide": ("conceal",),
    "today": ("now",),
    "warning": ("signal",),
    "ruined": ("destroyed",),
    "afraid": ("scared",),
    "wrong": ("mistaken",),
    "cheap": ("low-cost",),
    "rules": ("regulations",),
    "story": ("article",),
    "decide": ("judge",),
    "worry": ("concern",),
    "right": ("just",),
    "jobs": ("work",),
}

#: Words a light edit may insert.
FILLERS: tuple[str, ...] = ("really", "truly", "simply", "now", "again", "still", "even", "clearly", "just")
