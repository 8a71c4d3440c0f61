"""The folders the edit and fix checks run on: every real-world case (each side of a commit
case on its own) and the corpus's folders of the given kinds when UNROOT_CORPUS names it."""
import os

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cases')


def units(kinds):
    out = []
    for name in sorted(os.listdir(CASES)):
        if name == 'commits':
            for c in sorted(os.listdir(os.path.join(CASES, name))):
                for side in ('before', 'after'):
                    p = os.path.join(CASES, name, c, side)
                    if os.path.isdir(p):
                        out.append(p)
        elif os.path.isdir(os.path.join(CASES, name)):
            out.append(os.path.join(CASES, name))
    corpus = os.environ.get('UNROOT_CORPUS')
    for kind in kinds:
        if corpus and os.path.isdir(os.path.join(corpus, kind)):
            out.append(os.path.join(corpus, kind))
    return out
