"""Everyday words benign simulated users post: slot templates, common short posts, hashtags, URL slugs.

Written for this simulator. Benign posts are slot templates filled with short phrases, so that two random
posts share few word 3-shingles, while a few short common posts repeat word for word, as real ones do.
"""

from __future__ import annotations

__all__ = [
    "BENIGN_HASHTAGS",
    "BENIGN_SLOTS",
    "BENIGN_TEMPLATES",
    "COMMON_POSTS",
    "SLUG_WORDS",
    "split_phrases",
    "words",
]


def words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of ``text`` (word lists written as one block of text)."""
    return tuple(text.split())


def split_phrases(text: str) -> tuple[str, ...]:
    """The phrases in ``text``, separated by ``|`` or line breaks (compact to write, one tuple to use)."""
    return tuple(p.strip() for line in text.splitlines() for p in line.split("|") if p.strip())


BENIGN_SLOTS: dict[str, tuple[str, ...]] = {
    "opener": split_phrases(
        """
        Honestly | Just saw that | Can't believe | So apparently | Today | Quick update: | Fun fact:
        Reminder: | Not gonna lie, | Well, | Okay so | Guess what, | Small win: | PSA:
        Random thought: | Good news: | In other news, | Meanwhile | Update: | Finally! | Heads up:
        True story: | Little thing but | Right, so | Breaking (for me):
        """
    ),
    "subject": split_phrases(
        """
        the bakery on the corner | my neighbour's dog | the local council | our football club
        the train to work | the new cafe near the station | my little sister | the cycling club
        our book group | the school choir | my grandmother | the old cinema downtown | the city library
        the farmers market | my flatmate | the night bus | our office printer | the hiking group
        the new bike lane | the swimming pool | my cat | the corner shop | the weekend ferry
        our street festival | the basketball team | the jazz bar | my running shoes | the pizza place
        the museum | the local paper | my garden | the tram line | the kids' football team
        my favourite podcast | the chess club | our landlord | the dentist | the bakery van
        my old laptop | the city marathon
        """
    ),
    "event": split_phrases(
        """
        finally reopened | was late again | won three nil | made the best pastries ever
        broke down halfway | got a new coach | is closed for repairs | sold out in an hour
        changed the timetable | started a new series | raised money for the shelter | fixed the roof
        lost on penalties | got a fresh coat of paint | doubled the portion size | hosted a quiz night
        opened a second shop | planted new trees | ran out of coffee | welcomed a new puppy
        had a power cut | moved to a bigger place | put on a free concert | stayed open late
        cancelled the meeting | won the regional cup | brought back the old recipe | turned twenty
        finished the renovation | announced a summer camp | got a five star review | was packed
        started composting | launched a tiny website | switched to electric buses | hired two students
        ran a charity race | painted a mural | lost my umbrella | is doing a two for one deal
        """
    ),
    "when": split_phrases(
        """
        this morning | last night | on Sunday | yesterday afternoon | after three weeks
        again this week | for the first time in years | right before the holidays | in the pouring rain
        at six in the morning | during lunch | on my birthday | this weekend | after all that waiting
        just in time | while I was away | in the middle of the match | before the exams
        on a Monday of all days | under a perfect blue sky
        """
    ),
    "opinion": split_phrases(
        """
        I really think | not sure about | loving | can't stand | so excited about
        still thinking about | slightly obsessed with | kind of disappointed by
        pleasantly surprised by | proud of | confused about | grateful for | tired of | curious about
        impressed by | nostalgic about | done with | laughing about | worried about | quietly enjoying
        never getting over | all in on | on the fence about | finally trying | giving up on
        """
    ),
    "topic": split_phrases(
        """
        the new season of that detective show | the cycling lanes in town | weekend farmers markets
        homemade sourdough | the price of concert tickets | learning Portuguese | winter swimming
        the new phone update | board game nights | my tomato plants | the transfer window
        train travel across Europe | cold brew coffee | the city's new logo | secondhand furniture
        that viral recipe | the heat this summer | early morning runs | the school holidays
        the local elections debate | remote work | vinyl records | open water swimming
        the new museum wing | street food festivals | budget airlines | the Eurovision entries
        crossword puzzles | the marathon route | night trains | knitting | the football derby
        camping with kids | the new tram line | photography walks | the jazz festival
        the rent in this city | spring cleaning | my first half marathon | the season finale
        """
    ),
    "question": split_phrases(
        """
        does anyone know a good place for | any recommendations for | who else is watching
        is it just me or is everyone talking about | what do you all think about | anyone up for
        where do you even start with | how do people find time for | who wants to join me for
        can someone explain | has anyone tried | what's the deal with | looking for tips on
        any experts on | who's going to | need advice on | quick poll on | how expensive is
        anyone else excited about | what's your take on
        """
    ),
    "remark": split_phrases(
        """
        and nobody seems to care | which made my day | so that was fun | and I'm not even mad
        and now I need a nap | what a time to be alive | and the queue was huge | and it was worth it
        and I regret nothing | which surprised everyone | so now we wait | and the kids loved it
        and I have questions | but the weather held | and the coffee was great | and we all sang along
        and I almost missed it | which is very on brand | and that's the tea | and honestly fair enough
        but I'm still smiling | and the whole street came out | and my feet hurt | so yes, I cried
        and the dog approves | and it only took a year | and they gave out free cake
        and I took photos | but the bus was late | and that's my week
        """
    ),
    "closer": split_phrases(
        """
        what a day | highly recommend | thoughts? | can't wait | love it | see you there | wish me luck
        more soon | cheers | no regrets | send help | ten out of ten | worth it
        happy weekend everyone | stay dry out there | go team | fingers crossed | so proud
        enjoy your evening | back to work now | 🙂 | 😂 | 🙌 | ☕ | ⚽ | 🌧️ | 🎉 | 📚 | 🚲 | ❤️
        """
    ),
}

#: Shapes of benign posts, as sequences of :data:`BENIGN_SLOTS` keys.
BENIGN_TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("opener", "subject", "event", "remark"),
    ("subject", "event", "when", "closer"),
    ("opener", "subject", "event", "when", "remark", "closer"),
    ("opinion", "topic", "closer"),
    ("opener", "opinion", "topic", "remark"),
    ("question", "topic", "closer"),
    ("subject", "event", "when", "remark"),
    ("opinion", "topic", "when", "remark", "closer"),
    ("opener", "question", "topic"),
)

#: Short posts many people write word for word: benign exact duplicates a text matcher must live with.
COMMON_POSTS: tuple[str, ...] = split_phrases(
    """
        Good morning everyone! | Happy new year to all of you! | Happy Friday! | What a game!
        Thank you all for the birthday wishes! | Rest in peace, legend.
        Congratulations to the winners! | Stay safe out there. | Merry Christmas everyone!
        Finally weekend!
        """
)

BENIGN_HASHTAGS: tuple[str, ...] = words(
    """
    news football weekend coffee travel music photography Europe climate tech food recipes running
    MondayMotivation sunset books gaming politics science art cycling cinema health fitness nature garden
    cats dogs jazz history education F1 tennis basketball marathon Eurovision streetfood vegan hiking
    ChampionsLeague elections economy summer winter spring autumn family friends weekendvibes
    """
)

#: Words slugs of news article URLs are made of.
SLUG_WORDS: tuple[str, ...] = words(
    """
    minister budget vote talks summit storm court ruling market prices energy housing strike rail trade
    deal report study school hospital election parliament border farmers climate floods heat drought
    league final coach transfer festival museum film award tech startup bank rates inflation jobs
    union pension tax reform police fire rescue airport port bridge city council mayor
    """
)
