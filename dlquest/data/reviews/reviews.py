"""The course's movie-review data set: a deterministic generator, loaders, and the English stop-word list.

Nothing is downloaded. The course ships `reviews.csv` (made by `make_reviews`), a few thousand English movie
reviews labelled 1 (positive) or 0 (negative) with a fixed train/test split. They are written from templates,
word lists and negations ("not bad", "never boring", "I did not enjoy it"), so that single words do not
always tell the label: sometimes only word order and context do. Like IMDB reviews they carry HTML line
breaks (`<br /><br />`), URLs, capitals and punctuation, so the text needs cleaning.

    python reviews.py            rewrite reviews.csv beside this file (the same bytes every time)
    python reviews.py --check    exit 1 if reviews.csv differs from what the generator makes

If you have the real IMDB data set (aclImdb, 50,000 reviews) on disk, `load_reviews(path)` reads its folder
layout aclImdb/{train,test}/{pos,neg}/*.txt instead. Download it yourself if you want it; the course never
does.

Use it from a script by path (dlquest/data is data, not a package):

    import importlib.util, pathlib
    spec = importlib.util.spec_from_file_location("reviews", pathlib.Path(".../dlquest/data/reviews/reviews.py"))
"""

from __future__ import annotations

import csv
import io
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "reviews.csv"
STOPWORDS_PATH = HERE / "stopwords_en.txt"

N_TRAIN, N_TEST, SEED = 2400, 600, 2024

# Stop words that carry sentiment: a negation flips "good", "but" says which half of a sentence counts.
# Remove these from the stop-word list before cleaning text for sentiment analysis.
SENTIMENT_WORDS = frozenset("""
    no nor not don didn doesn isn wasn weren aren won wouldn couldn shouldn hasn haven hadn ain mightn mustn
    needn shan but against too very
""".split())


# ---------------------------------------------------------------------------------------------------------
# Stop words
# ---------------------------------------------------------------------------------------------------------

def stop_words() -> frozenset:
    """English stop words: nltk's list when its `stopwords` corpus is installed, else the copy shipped here.

    (The shipped file is nltk's classic English list of 179 words; newer nltk data may hold a few more.)
    """
    try:
        from nltk.corpus import stopwords

        return frozenset(stopwords.words("english"))
    except (ImportError, LookupError, OSError):
        return frozenset(STOPWORDS_PATH.read_text(encoding="utf-8").split())


# ---------------------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------------------

ASPECTS = [
    "acting", "plot", "script", "story", "dialogue", "soundtrack", "music", "cinematography", "pacing", "ending",
    "cast", "direction", "humour", "special effects", "characters", "camera work", "editing", "score",
    "lead performance", "villain", "set design", "costumes", "first half", "final act", "screenplay", "visuals",
    "songs",
]
POSITIVE = [
    "great", "superb", "wonderful", "brilliant", "excellent", "moving", "gripping", "charming", "clever",
    "beautiful", "fantastic", "memorable", "delightful", "solid", "stunning", "touching", "hilarious",
    "engaging", "fresh", "powerful", "good", "impressive", "lovely", "smart", "thrilling",
]
NEGATIVE = [
    "awful", "terrible", "boring", "dull", "weak", "clumsy", "predictable", "forgettable", "painful", "lazy",
    "bland", "messy", "poor", "tedious", "stiff", "flat", "silly", "confusing", "cheap", "horrible", "bad",
    "disappointing", "annoying", "lifeless", "pointless",
]
INTENSIFIERS = ["", "", "", "really ", "truly ", "quite ", "very ", "absolutely ", "rather ", "incredibly "]
# Whole clauses that carry a sentiment on their own, and their negated forms (which flip it).
POSITIVE_CLAUSES = [
    "i loved it", "i enjoyed every minute", "i would happily watch it again", "i recommend it to everyone",
    "it kept me on the edge of my seat", "i was smiling all the way through", "it is worth every penny",
    "i was moved to tears", "it deserves every award it got", "i laughed out loud more than once",
]
NEGATIVE_CLAUSES = [
    "i hated it", "i wanted my money back", "i nearly fell asleep", "i regret watching it",
    "it was a waste of time", "i checked my watch every five minutes", "i walked out halfway",
    "it made me angry", "i cannot believe it got made", "i was bored from start to finish",
]
# Negations: (template for a negated positive word -> negative meaning) and vice versa.
# {was}, {is}, {wasnt}, {isnt} agree with the aspect ("the plot was", "the costumes were").
NEGATED = [
    "the {a} {was} not {w}", "the {a} {is} not {w} at all", "the {a} {was} never {w}", "the {a} {was} hardly {w}",
    "the {a} {isnt} {w}", "the {a} {wasnt} {w} in any way", "i did not find the {a} {w}",
    "nobody could call the {a} {w}", "i would not say the {a} {was} {w}",
]
NEGATED_POSITIVE_CLAUSES = [
    "i did not enjoy it", "i would not recommend it", "i would not watch it again", "i never cared about anyone",
    "i could not wait for it to end", "it is not worth your time", "i didn't like it one bit",
    "there was nothing to laugh about",
]
NEGATED_NEGATIVE_CLAUSES = [
    "i did not regret a single minute", "i was never bored", "it is not a waste of time",
    "i could not stop smiling", "i didn't want it to end", "i have no complaints",
    "not once did i check my watch", "there was nothing i disliked",
]
PLAIN = ["the {a} {was} {i}{w}", "the {a} {is} {i}{w}", "i thought the {a} {was} {i}{w}", "{i}{w} {a}",
         "the {a} felt {i}{w}", "i found the {a} {i}{w}", "everyone says the {a} {is} {w}, and they are right"]
PLURAL = {"special effects", "characters", "costumes", "visuals", "songs"}
VERDICTS_POSITIVE = ["overall a {w} film", "a {w} movie", "one of the best films i have seen this year",
                     "easily the best film of its kind", "a {w} piece of cinema", "overall, {w}",
                     "all in all, not a bad film at all", "not perfect, but {w}", "never dull for a second"]
VERDICTS_NEGATIVE = ["overall a {w} film", "a {w} movie", "one of the worst films i have seen this year",
                     "easily the worst film of its kind", "a {w} piece of cinema", "overall, {w}",
                     "all in all, not a good film at all", "not terrible, but {w}", "never exciting for a second"]
PREMISES = [
    "a detective in a small town", "two sisters who inherit a farm", "a robot that learns to paint",
    "a bank robbery that goes wrong", "a family on a long road trip", "a chef who loses her sense of taste",
    "a boxer making one last comeback", "a ghost that haunts a library", "a teacher in a mountain village",
    "an astronaut stranded on the moon", "a jazz band on its final tour", "a spy who wants to retire",
    "a boy and his dog", "a court case that divides a city", "a wedding where everything goes wrong",
]
NAMES = ["Maria Lopez", "John Carter", "Akira Tanaka", "Emma Stone", "Omar Haddad", "Lena Fischer",
         "Paul Dubois", "Chen Wei", "Sofia Rossi", "David Miller", "Priya Nair", "Tom Hardy"]
FILLERS = [
    "i saw it {when}", "it is about {premise}", "the film was directed by {name}", "it runs for {minutes} minutes",
    "{name} plays the lead", "i went in knowing nothing about it", "my {who} recommended it to me",
    "it is based on a novel by {name}", "i watched it {when} with my {who}", "the film came out in {year}",
    "it was shot in {place}", "this is the second film by {name}", "i read about it in a magazine",
]
WHEN = ["last night", "on a rainy sunday", "at a festival", "on a long flight", "at the cinema", "on television",
        "twice this week", "on dvd"]
WHO = ["brother", "sister", "friend", "wife", "husband", "neighbour", "mother", "father", "colleague"]
PLACES = ["canada", "morocco", "new zealand", "a studio in london", "iceland", "the south of france"]
URLS = ["http://www.imdb.com/title/tt{n:07d}/", "https://www.example.com/reviews/{n}", "www.moviedb.example/film/{n}",
        "http://bit.ly/{n}x"]
RATINGS = ["{r}/10", "{r} out of 10", "my rating: {r}/10"]


def _sentiment_sentence(rng: random.Random, positive: bool) -> str:
    """One sentence whose meaning has the given polarity; sometimes the words alone say the opposite."""
    words, others = (POSITIVE, NEGATIVE) if positive else (NEGATIVE, POSITIVE)
    kind = rng.random()
    aspect = rng.choice(ASPECTS)
    if kind < 0.40:  # plain: "the acting was really superb"
        return _fill(rng.choice(PLAIN), aspect, i=rng.choice(INTENSIFIERS), w=rng.choice(words))
    if kind < 0.60:  # a negated opposite: "the plot was never boring" (positive)
        return _fill(rng.choice(NEGATED), aspect, w=rng.choice(others))
    if kind < 0.72:  # a clause: "i loved it"
        return rng.choice(POSITIVE_CLAUSES if positive else NEGATIVE_CLAUSES)
    if kind < 0.86:  # a negated clause of the opposite kind: "i was never bored" (positive)
        return rng.choice(NEGATED_NEGATIVE_CLAUSES if positive else NEGATED_POSITIVE_CLAUSES)
    # a contrast: the clause after "but" carries the meaning
    other_aspect = rng.choice([a for a in ASPECTS if a != aspect])
    first = _fill("the {a} {was} {w}", other_aspect, w=rng.choice(others))
    return first + ", but " + _fill("the {a} {was} {i}{w}", aspect, i=rng.choice(INTENSIFIERS), w=rng.choice(words))


def _fill(template: str, aspect: str, **words: str) -> str:
    plural = aspect in PLURAL
    verbs = {"was": "were", "is": "are", "wasnt": "weren't", "isnt": "aren't"} if plural else \
        {"was": "was", "is": "is", "wasnt": "wasn't", "isnt": "isn't"}
    return template.format(a=aspect, **verbs, **words)


def _filler(rng: random.Random) -> str:
    return rng.choice(FILLERS).format(
        when=rng.choice(WHEN), premise=rng.choice(PREMISES), name=rng.choice(NAMES), who=rng.choice(WHO),
        minutes=rng.randrange(85, 180), year=rng.randrange(1968, 2024), place=rng.choice(PLACES))


def _finish(rng: random.Random, sentence: str) -> str:
    """Capitalise like a person would, and end with varied punctuation."""
    sentence = sentence[0].upper() + sentence[1:]
    sentence = sentence.replace(" i ", " I ").replace(" i'", " I'")
    if rng.random() < 0.04:  # SHOUTING
        sentence = sentence.upper()
    return sentence + rng.choice([".", ".", ".", ".", ".", "!", "!!", "...", " :)"])


def make_review(rng: random.Random, positive: bool) -> str:
    """One review: fillers, two to four sentiment sentences, maybe one of the other side, maybe a verdict."""
    sentences = [_filler(rng) for _ in range(rng.choice([0, 1, 1, 2]))]
    sentences += [_sentiment_sentence(rng, positive) for _ in range(rng.choice([2, 2, 3, 3, 4]))]
    if rng.random() < 0.25:  # a mixed review: one point of the other side, outweighed by the rest
        sentences.insert(rng.randrange(len(sentences) + 1), _sentiment_sentence(rng, not positive))
    rng.shuffle(sentences)
    if rng.random() < 0.6:
        verdict = rng.choice(VERDICTS_POSITIVE if positive else VERDICTS_NEGATIVE)
        sentences.append(verdict.format(w=rng.choice(POSITIVE if positive else NEGATIVE)))
    if rng.random() < 0.2:
        score = rng.randrange(7, 11) if positive else rng.randrange(1, 5)
        sentences.append(rng.choice(RATINGS).format(r=score))
    if rng.random() < 0.1:
        url = rng.choice(URLS).format(n=rng.randrange(10**6))
        template = rng.choice(["more reviews at {u}", "see {u} for the trailer", "(found via {u})"])
        sentences.append(template.format(u=url))
    parts = [_finish(rng, s) for s in sentences]
    text = ""
    for part in parts:
        if text:
            text += rng.choice([" ", " ", " ", "<br /><br />", " <br />"])
        text += part
    return text


def make_reviews(n: int, seed: int = SEED) -> list[tuple[str, int]]:
    """`n` reviews as (text, label) pairs, label 1 = positive, 0 = negative, alternating (a positive one first)."""
    rng = random.Random(seed)
    return [(make_review(rng, positive=(i % 2 == 0)), int(i % 2 == 0)) for i in range(n)]


def reviews_csv(n_train: int = N_TRAIN, n_test: int = N_TEST, seed: int = SEED) -> str:
    """The text of reviews.csv: columns id, split ("train" or "test"), label (1 positive, 0 negative), text."""
    rows = make_reviews(n_train + n_test, seed)
    order = list(range(len(rows)))
    random.Random(seed + 1).shuffle(order)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "split", "label", "text"])
    for i, index in enumerate(order):
        text, label = rows[index]
        writer.writerow([i, "train" if i < n_train else "test", label, text])
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Loaders
# ---------------------------------------------------------------------------------------------------------

def load_reviews(path: str | Path | None = None, limit: int | None = None) -> dict:
    """{"train": (texts, labels), "test": (texts, labels)}, labels 1 = positive, 0 = negative.

    - no path: the course's shipped reviews.csv;
    - a .csv file with columns split, label, text;
    - a folder with IMDB's layout: aclImdb/{train,test}/{pos,neg}/*.txt (give aclImdb or the folder holding
      it). Files are read in name order; `limit` keeps at most that many reviews of each label in each split.
    """
    path = CSV_PATH if path is None else Path(path)
    if path.is_dir():
        return _load_imdb(path, limit)
    data = {"train": ([], []), "test": ([], [])}
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            texts, labels = data[row["split"]]
            texts.append(row["text"])
            labels.append(int(row["label"]))
    return data


def _load_imdb(folder: Path, limit: int | None) -> dict:
    if not (folder / "train").is_dir() and (folder / "aclImdb").is_dir():
        folder = folder / "aclImdb"
    data = {}
    for split in ("train", "test"):
        texts, labels = [], []
        for name, label in (("neg", 0), ("pos", 1)):
            files = sorted((folder / split / name).glob("*.txt"))
            if not files:
                raise FileNotFoundError(f"no reviews in {folder / split / name}: expected aclImdb/{split}/{name}/*.txt")
            for file in files[:limit]:
                texts.append(file.read_text(encoding="utf-8"))
                labels.append(label)
        data[split] = (texts, labels)
    return data


if __name__ == "__main__":
    expected = reviews_csv()
    if "--check" in sys.argv[1:]:
        same = CSV_PATH.exists() and CSV_PATH.read_text(encoding="utf-8") == expected
        print("reviews.csv is up to date" if same else "reviews.csv differs from the generator's output")
        sys.exit(0 if same else 1)
    CSV_PATH.write_text(expected, encoding="utf-8", newline="")
    print(f"wrote {CSV_PATH} ({len(expected.encode()):,} bytes)")
