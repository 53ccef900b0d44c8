"""Sentiment: the hand-coded comments every classifier was judged on, and the cut-offs.

The sentiments below were coded by hand before any library scored them. The
first set was then used to tune the codebook's polar phrases; the second was
written afterwards and never used for tuning, so its figure is the honest one.
The comparison with TextBlob (in scrutiny/topics/feedback/sentiment.py's docstring) was run once
with TextBlob 0.20.1 installed on the side; TextBlob is not a dependency.
"""

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from scrutiny.topics.feedback import codebook as fb_codebook
from scrutiny.topics.feedback import coding as fb_coding
from scrutiny.topics.feedback import sentiment as fb_sentiment

# (comment, sentiment) labelled by hand before any library was run on them.
HAND_CODED_SENTIMENT = [
    ("The staff were friendly and the stay and play sessions are brilliant.", "positive"),
    ("Rhymetime is great but the opening hours do not suit working parents.", "mixed"),
    ("We are not joined up with the library team; referrals get lost.", "negative"),
    ("I felt judged going to the centre, there is a stigma.", "negative"),
    ("The family worker was a lifeline when my son was born.", "positive"),
    ("The advice on sleep was not helpful.", "negative"),
    ("The sessions are on Tuesday mornings in the library.", "neutral"),
    ("Since the centre closed we have nowhere to go and I feel isolated.", "negative"),
    ("I made friends with other mums at baby massage, it saved my sanity.", "positive"),
    ("Nobody asked us before they cut the sessions.", "negative"),
    ("We were not listened to in the consultation.", "negative"),
    ("The building is clean and bright and the staff are lovely, but parking is a nightmare.", "mixed"),
    ("I found out about the groups from the health visitor.", "neutral"),
    ("There is a waiting list for the parenting course.", "negative"),
    ("The library staff are kind and my daughter loves story time.", "positive"),
    ("It is two buses to get there so we stopped going.", "negative"),
    ("Really good support from the family hub, they made such a difference.", "positive"),
    ("The new contract means fewer sessions and the staff are stretched.", "negative"),
    ("Great activities for the children. Shame it is so far from home.", "mixed"),
    ("I didn't know the centre existed until my second child.", "negative"),
    ("The centre is open Monday to Friday.", "neutral"),
    ("Staff never followed up after the referral.", "negative"),
    ("The volunteers are amazing and give up so much of their time.", "positive"),
    ("No complaints, everything is fine.", "positive"),
    ("The toilets are dirty and there is nowhere to change a nappy.", "negative"),
    ("Lovely welcoming staff but the room is far too small for the number of families.", "mixed"),
    ("We go to rhymetime every week.", "neutral"),
    ("The health visitor and the centre do not talk to each other.", "negative"),
    ("It's free and it's on the doorstep, which matters to us.", "positive"),
    ("They started charging for the messy play session and we can't afford it.", "negative"),
    ("The consultation felt like a tick box exercise, the decision was already made.", "negative"),
    ("My keyworker kept changing so I had to tell my story again and again.", "negative"),
    ("I was treated with respect and never made to feel judged.", "positive"),
    ("The hub is fine I suppose.", "neutral"),
    ("Good information on the website, but nobody answers the phone.", "mixed"),
    ("The service is not what it was.", "negative"),
    ("I have been coming since 2019.", "neutral"),
    ("The staff were not friendly and made me feel unwelcome.", "negative"),
    ("The baby group was helpful and I met other parents.", "positive"),
    ("We moved to the area last year and use the library sessions.", "neutral"),
    ("It is not bad, the sessions are ok.", "positive"),
    ("Wonderful staff, terrible building.", "mixed"),
    ("The parenting programme helped me understand my son's behaviour.", "positive"),
    ("They asked for our views and then ignored them.", "negative"),
    ("I wish there were more sessions at weekends.", "neutral"),
    ("Closing the centre was a disgrace and families are falling through the cracks.", "negative"),
    ("Thank you to everyone at Eastfield, you were brilliant.", "positive"),
    ("The staff are helpful but the sessions are always full and we get turned away.", "mixed"),
]

# Written after the codebook was tuned on the set above, and never used to tune it.
HELD_OUT_SENTIMENT = [
    ("My health visitor told me about the baby group and it has been wonderful.", "positive"),
    ("The centre moved into the library and now there is nowhere quiet to talk to a worker.", "negative"),
    ("Sessions are fine but they are always at nap time.", "mixed"),
    ("We were not told the drop-in had stopped.", "negative"),
    ("The outreach worker comes to our house every fortnight.", "neutral"),
    ("I couldn't have coped without the family support worker.", "positive"),
    ("The room is freezing in winter and the toys are broken.", "negative"),
    ("The staff are brilliant, the building is falling apart.", "mixed"),
    ("Parents' forum meets once a term.", "neutral"),
    ("They closed our centre and the nearest one is three miles away with no bus.", "negative"),
    ("It is nice to meet other mums who understand.", "positive"),
    ("There is nothing for dads.", "negative"),
    ("The speech and language drop-in helped my son a lot.", "positive"),
    ("I am not sure what the family hub does.", "neutral"),
    ("Booking online is easy, but the sessions fill up within minutes.", "mixed"),
    ("My daughter goes to rhymetime at the library on Fridays.", "neutral"),
    ("The worker was rude and I did not go back.", "negative"),
    ("Our views were taken into account and the times were changed.", "positive"),
    ("The library is not a children's centre, it is too noisy for a baby.", "negative"),
    ("We love the messy play but it costs £3 now.", "mixed"),
]


@pytest.fixture(scope="module")
def coder():
    codebook, _ = fb_codebook.codebook_for(None)
    return fb_coding.Coder(codebook)


@pytest.mark.parametrize("comment, expected", [
    # Negation: "helpful" is a positive phrase; "not helpful" counts the other way.
    ("The advice on sleep was not helpful.", "negative"),
    ("The advice on sleep was helpful.", "positive"),
    # A theme phrase the lexicon does not know, negated: not listened to is negative.
    ("We were not listened to in the consultation.", "negative"),
    ("They listened to us.", "positive"),
    # A clearly positive and a clearly negative clause: mixed.
    ("Rhymetime is great but the opening hours do not suit working parents.", "mixed"),
    ("Wonderful staff, terrible building.", "mixed"),
    # Words that carry feeling but code no theme (the codebook's sentiment: words).
    ("Parking is a nightmare.", "negative"),
    # Facts with no feeling.
    ("The centre is open Monday to Friday.", "neutral"),
    ("I have been coming since 2019.", "neutral"),
    ("", "neutral"),
])
def test_sentiment_of_hand_made_comments(coder, comment, expected):
    assert coder.code(comment).sentiment == expected


@pytest.mark.parametrize("scores, expected", [
    # (clause scores) -> sentiment, by the documented cut-offs: mixed needs +0.3 and -0.3.
    ([0.5, -0.4], "mixed"),
    ([0.29, -0.4], "negative"),      # mean of the leaning clauses (0.29 - 0.4) / 2 = -0.055
    ([0.3, -0.1], "positive"),       # not clearly negative (-0.1 > -0.3): mean 0.1, above +0.05
    ([0.04, -0.04], "neutral"),      # nothing leans beyond 0.05
    ([0.0, 0.2, 0.0], "positive"),   # neutral clauses do not dilute: mean of [0.2]
    ([], "neutral"),
])
def test_cut_offs(scores, expected):
    assert fb_sentiment.classify_sentiment(scores)[1] == expected


def accuracy(coder, cases):
    return sum(coder.code(text).sentiment == expected for text, expected in cases)


def test_agreement_with_hand_coding(coder):
    # Recorded in scrutiny/topics/feedback/sentiment.py: 46 of 48 on the tuning set, 11 of 20 held out.
    assert accuracy(coder, HAND_CODED_SENTIMENT) == 46
    assert accuracy(coder, HELD_OUT_SENTIMENT) == 11


def test_better_than_vader_on_the_whole_comment(coder):
    analyzer = SentimentIntensityAnalyzer()

    def whole(text):
        score = analyzer.polarity_scores(text)["compound"]
        return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"

    cases = HAND_CODED_SENTIMENT + HELD_OUT_SENTIMENT
    plain = sum(whole(text) == expected for text, expected in cases)
    assert (plain, accuracy(coder, cases)) == (26 + 9, 46 + 11)


def test_fast_vader_gives_vaders_own_numbers():
    analyzer = SentimentIntensityAnalyzer()
    texts = [t for t, _ in HAND_CODED_SENTIMENT + HELD_OUT_SENTIMENT]
    texts += ["GREAT staff!!!", "not bad :)", "It was kind of ok", "Brilliant 😀 sessions", "Nothing at all", "no"]
    for text in texts:
        assert fb_sentiment.vader_compound(text) == pytest.approx(analyzer.polarity_scores(text)["compound"]), text


def test_sentiment_works_offline():
    # VADER reads its lexicon from files inside the package, never from the network.
    import vaderSentiment
    from pathlib import Path

    folder = Path(vaderSentiment.__file__).parent
    assert (folder / "vader_lexicon.txt").is_file() and (folder / "emoji_utf8_lexicon.txt").is_file()
