#!/usr/bin/env python3
"""html_check.py HTML - check a report page: well nested, no script, nothing
external; print the number of <svg> elements.

Exits 1 with a message on the first problem."""
import html.parser
import re
import sys

VOID = {'meta', 'br', 'img', 'hr', 'link', 'input', 'circle', 'rect', 'line', 'polyline', 'path'}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.svgs, self.problems = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag == 'script':
            self.problems.append('a <script> element')
        if tag == 'svg':
            self.svgs += 1
        for name, value in attrs:
            if name.startswith('on'):
                self.problems.append('an event handler attribute %s' % name)
            if name in ('src', 'href', 'xlink:href', 'action') and value:
                self.problems.append('a reference to elsewhere: %s="%s"' % (name, value))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append('</%s> does not close <%s>' % (tag, self.stack[-1] if self.stack else ''))
        else:
            self.stack.pop()


text = open(sys.argv[1], encoding='utf-8').read()
c = Checker()
c.feed(text)
c.close()
if c.stack:
    c.problems.append('unclosed: %s' % ' '.join(c.stack))
if re.search(r'(?i)(https?:|ftp:|//[a-z0-9]|url\(|@import)', text):
    c.problems.append('an external URL')
if not text.startswith('<!DOCTYPE html>'):
    c.problems.append('no doctype')
if c.problems:
    print('; '.join(c.problems))
    sys.exit(1)
print(c.svgs)
