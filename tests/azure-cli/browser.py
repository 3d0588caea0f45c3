#!/usr/bin/env python3
"""The person's browser for `az login`, as `BROWSER=... %s` (Python's
webbrowser module runs it with the sign-in URL): opens the emulator's
"Pick an account" page, picks the user given first, and delivers the answer
to az's loopback redirect, whether it comes as a redirect (response_mode
query) or as a self-submitting form (form_post, what MSAL asks for).

Usage: browser.py USER URL
"""
import html.parser
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request


class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        if tag == "input" and attrs.get("type") == "hidden":
            self.fields.append((attrs["name"], attrs.get("value", "")))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    # A real browser returns at once; Python's webbrowser waits for the
    # command, and az only serves its loopback redirect after that: go on in
    # the background, or both wait for each other.
    if not os.environ.get("ROLECALL_BROWSER_DETACHED"):
        subprocess.Popen(
            [sys.executable, *sys.argv],
            env={**os.environ, "ROLECALL_BROWSER_DETACHED": "1"},
            start_new_session=True,
        )
        return
    user, url = sys.argv[1], sys.argv[2]
    context = ssl.create_default_context(cafile=os.environ.get("REQUESTS_CA_BUNDLE"))
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    page = urllib.parse.urlsplit(url)
    # The page's form posts the request's own parameters and the choice.
    fields = urllib.parse.parse_qsl(page.query) + [("rolecall_user", user)]
    action = urllib.parse.urlunsplit((page.scheme, page.netloc, page.path, "", ""))
    try:
        answer = opener.open(action, data=urllib.parse.urlencode(fields).encode(), timeout=30)
    except urllib.error.HTTPError as redirect:
        answer = redirect
    location = answer.headers.get("Location")
    if location:
        if not location.startswith("http://localhost"):
            sys.exit(f"refusing a redirect away from the loopback: {location}")
        urllib.request.urlopen(location, timeout=30).read()
        return
    form = Form()
    form.feed(answer.read().decode())
    if not form.action or not form.action.startswith("http://localhost"):
        sys.exit(f"no form to the loopback in the answer (status {answer.status})")
    urllib.request.urlopen(form.action, data=urllib.parse.urlencode(form.fields).encode(), timeout=30).read()


if __name__ == "__main__":
    main()
