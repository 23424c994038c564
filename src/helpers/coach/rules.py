"""Transparent rules for what rules do best: question forms, runs of "I/me/my", "you should".

Each rule is a regular expression with the label it points to. A match is a *cue*: the words
are shown to the trainee, and the rule's name is also a feature the model weighs together with
the words around it, so a rule never decides a label on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence: up to and including its end mark, or the end of the text.
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_FIRST_PERSON = re.compile(r"\b(i|i'm|im|i've|ive|i'd|i'll|me|my|mine|myself)\b", re.I)

_OPEN_START = (
    r"what|how(?! (?:many|much|long|old|often)\b)|tell me|could you (?:say|tell)|can you "
    r"(?:say|tell|describe|talk)|would you (?:like to )?(?:say|tell|describe)|in what way|"
    r"describe|talk me through|help me understand|say more|i(?:'m| am) wondering (?:what|how)|"
    r"i wonder (?:what|how)|where|who"
)
_CLOSED_START = (
    r"is|are|am|was|were|do|does|did|have|has|had|can|could|would|will|should|shall|may|"
    r"how (?:many|much|long|old|often)|when|which|any"
)


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    pattern: re.Pattern[str]
    per_sentence: bool = False  # apply to each sentence's start rather than the whole text


def _words(*alternatives: str) -> str:
    """One pattern matching any of the alternatives as whole words."""
    return r"\b(" + "|".join(alternatives) + r")\b"


def _rule(name: str, label: str, pattern: str, per_sentence: bool = False) -> Rule:
    return Rule(name, label, re.compile(pattern, re.I), per_sentence)


RULES: tuple[Rule, ...] = (
    _rule(
        "open-question-start",
        "open_question",
        rf"^\s*(?:and |so |but |ok(?:ay)?,? )?({_OPEN_START})\b",
        per_sentence=True,
    ),
    _rule(
        "closed-question-start",
        "closed_question",
        rf"^\s*(?:and |so |but |ok(?:ay)?,? )?({_CLOSED_START})\b[^.!]*\?",
        per_sentence=True,
    ),
    _rule("question-tag", "closed_question", _words(r"is that right", r"am i right", r"right\?")),
    _rule(
        "you-should",
        "advice",
        _words(
            r"you (?:should|need to|have to|must|could try|ought to|might want to)",
            r"why don'?t you",
            r"have you (?:tried|thought about|considered)",
            r"i'?d (?:recommend|suggest)",
            r"maybe try",
            r"try (?:to |not to )?\w+ing",
            r"just (?:try|tell|be|go|give|leave)",
            r"the best thing",
        ),
    ),
    _rule(
        "reflection-stem",
        "reflection",
        _words(
            r"it (?:sounds|seems|feels) like",
            r"sounds like",
            r"it sounds",
            r"so you(?:'re| are| feel)?",
            r"you(?:'re| are) feeling",
            r"you feel",
            r"you seem",
            r"part of you",
            r"it'?s like you",
            r"you'?re (?:caught|stuck|torn|carrying)",
            r"you(?:'ve| have) (?:lost|been)",
        ),
    ),
    _rule(
        "validation-stem",
        "validation",
        _words(
            r"makes? (?:complete |a lot of |total )?sense",
            r"understandable",
            r"anyone would",
            r"no wonder",
            r"of course you",
            r"took (?:courage|a lot)",
            r"(?:i'?m )?(?:really )?glad you (?:told|said|came|felt)",
            r"thank you for (?:telling|trusting|being)",
            r"you(?:'ve| have) every right",
            r"that matters",
        ),
    ),
    _rule(
        "reassurance-stem",
        "reassurance",
        _words(
            r"don'?t worry",
            r"(?:it|you|everything)(?:'ll| will) be (?:fine|ok(?:ay)?|alright)",
            r"at least",
            r"everyone (?:feels|goes|does|has)",
            r"(?:totally|completely) normal",
            r"i'?m sure",
            r"it'?ll (?:pass|get better|blow over|happen)",
            r"look on the bright side",
            r"you'?ll get over",
            r"it'?s not a big deal",
            r"nothing to (?:worry|be ashamed)",
        ),
    ),
    _rule(
        "self-disclosure",
        "self_focus",
        _words(
            r"when i (?:was|went|had|lost)",
            r"i (?:had|have|went|lost|used to|was)\b[^.!?]*\b(?:too|as well|same)",
            r"my (?:mum|mom|dad|nan|grandma|uncle|aunt|brother|sister|son|daughter|wife|husband"
            r"|cousin|friend|boss|parents|family)",
            r"i know exactly",
            r"same here",
            r"me too",
            r"haha same",
            r"sorry,? but",
        ),
    ),
    _rule(
        "judgement-stem",
        "judgement",
        _words(
            r"you(?:'re| are) (?:just|obviously|being)",
            r"obviously",
            r"that'?s (?:stupid|silly|wrong|childish|ridiculous|dramatic)",
            r"a bit (?:dramatic|childish|much)",
            r"why didn'?t you",
            r"be honest with yourself",
            r"you need to stop",
            r"you have to (?:stop|take)",
            r"you can'?t (?:expect|let|avoid)",
            r"the real problem",
            r"you knew",
            r"should be grateful",
            r"you must have done",
        ),
    ),
    _rule(
        "information-stem",
        "information",
        _words(
            r"sessions?",
            r"confidential",
            r"stays? between",
            r"what you say here",
            r"research",
            r"service",
            r"safeguarding",
            r"helpline",
            r"crisis line",
            r"support groups?",
            r"there'?s (?:a|an) [\w ]{0,30}(?:group|team|scheme|service|line)",
            r"i'?m (?:a )?trainee",
            r"supervis\w+",
            r"entitled",
            r"policy",
            r"the (?:clinic|centre|center|university) (?:has|offers|runs)",
        ),
    ),
    _rule(
        "repair-stem",
        "repair",
        _words(
            r"i (?:think i )?(?:rushed|jumped|went too|got that wrong|missed|pushed|came on)",
            r"(?:that'?s|it'?s) on me",
            r"i(?:'m| am) sorry (?:i|that i)",
            r"how (?:is|was) (?:this|that|it) (?:going|landing|for you)",
            r"how did (?:that|it|my \w+) (?:land|feel)",
            r"working with me",
            r"talking (?:to|with) me",
            r"did (?:that|what i said|something i said|my \w+)",
            r"am i (?:getting|understanding|right|using)",
            r"have i (?:got|missed|understood)",
            r"i'?ve been asking",
            r"you'?re right,? i",
            r"with me today",
            r"tell me if i",
        ),
    ),
)

LABEL_OF_RULE = {rule.name: rule.label for rule in RULES}


@dataclass(frozen=True)
class Match:
    rule: str
    label: str
    phrase: str
    start: int
    end: int


def sentences(text: str) -> list[tuple[int, str]]:
    """Each sentence with its offset in ``text``."""
    return [(m.start(), m.group()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def matches(text: str) -> list[Match]:
    """Every rule match in ``text``, in order of position."""
    found: list[Match] = []
    for rule in RULES:
        if rule.per_sentence:
            for offset, sentence in sentences(text):
                m = rule.pattern.search(sentence)
                if m:
                    start = offset + m.start(1)
                    found.append(Match(rule.name, rule.label, m.group(1), start, offset + m.end(1)))
        else:
            for m in rule.pattern.finditer(text):
                found.append(Match(rule.name, rule.label, m.group(1), m.start(1), m.end(1)))
    for offset, sentence in sentences(text):
        run = _FIRST_PERSON.findall(sentence)
        if len(run) >= 3:
            first = _FIRST_PERSON.search(sentence)
            found.append(
                Match(
                    "i-me-my-run",
                    "self_focus",
                    sentence.strip(),
                    offset + first.start(),
                    offset + len(sentence.rstrip()),
                )
            )
    return sorted(found, key=lambda m: (m.start, m.rule))


def rule_features(text: str) -> list[str]:
    """The names of the rules that match, as features for the model (one per rule)."""
    return sorted({f"rule:{m.rule}" for m in matches(text)})
