"""Reading a message (intake/mailparse.py): pure functions, no database."""

from tierdesk.desk.intake.mailparse import (
    html_to_text,
    message_ids,
    parse_mail,
    read_envelope,
    sanitise_html,
    strip_quoted,
    ticket_references,
)


def test_gmail_reply_history_is_cut_even_when_the_marker_wraps_over_two_lines():
    text = ("Yes, please come tomorrow.\n\nOn Mon, 2 Mar 2026 at 09:14, Northwind Desk "
            "<desk@msp.example>\nwrote:\n> When can we visit?\n")
    assert strip_quoted(text) == "Yes, please come tomorrow."


def test_outlook_original_message_and_from_sent_blocks_are_cut():
    assert strip_quoted("Fixed.\n\n-----Original Message-----\nFrom: desk\nhello") == "Fixed."
    assert strip_quoted("Fixed.\n\nFrom: Desk <d@x>\nSent: Monday\nTo: me\n\nold") == "Fixed."


def test_trailing_quoted_lines_are_dropped_but_inline_answers_kept():
    text = "> question one\nanswer one\n> question two\nanswer two\n\n> signature quote\n"
    assert strip_quoted(text) == "> question one\nanswer one\n> question two\nanswer two"


def test_a_message_that_is_all_quote_is_kept_whole():
    assert strip_quoted("> only a quote\n> nothing new") == "> only a quote\n> nothing new"


def test_sanitised_html_has_no_scripts_event_handlers_styles_or_javascript_urls():
    dirty = ('<div style="x" onmouseover="evil()"><script>evil()</script><style>b{}</style>'
             '<a href="javascript:evil()">a</a><a href="https://ok.example">b</a>'
             '<iframe src="https://x"></iframe><b>kept</b></div>')
    clean = sanitise_html(dirty)
    for bad in ("script", "evil", "onmouseover", "style", "javascript", "iframe"):
        assert bad not in clean
    assert "<b>kept</b>" in clean and 'rel="noopener noreferrer"' in clean


def test_html_to_text_keeps_lines_and_drops_script_content():
    html = "<h1>Title</h1><p>One&nbsp;two</p><script>x()</script><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "Title\n\nOne two\n\na\n\nb"


def test_message_ids_are_read_with_brackets_and_bare():
    assert message_ids("<a@b> junk <c@d>") == ["<a@b>", "<c@d>"]
    assert message_ids("bare@id") == ["<bare@id>"]
    assert message_ids("") == []


def test_ticket_tokens_are_found_in_any_case():
    assert ticket_references("Re: [td-7kq3m9] and [TD-ABCDEF]") == ["TD-7KQ3M9", "TD-ABCDEF"]
    assert ticket_references("TD-7KQ3M9 without brackets") == []


def test_an_absurdly_long_message_id_is_replaced_by_a_hash_as_dedupe_key():
    raw = b"From: a@b.example\r\nMessage-ID: <" + b"x" * 400 + b"@y>\r\n\r\nhi"
    assert read_envelope(raw).dedupe_key(raw).startswith("sha256:")


def test_in_reply_to_comes_before_references_newest_first():
    raw = (b"From: a@b.example\r\nIn-Reply-To: <r3@x>\r\n"
           b"References: <r1@x> <r2@x> <r3@x>\r\n\r\nhi")
    assert parse_mail(raw).thread_ids == ["<r3@x>", "<r2@x>", "<r1@x>"]


def test_a_forwarded_message_is_an_attachment_not_part_of_the_body():
    raw = (b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
           b"--m\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n"
           b"--m\r\nContent-Type: message/rfc822\r\n\r\n"
           b"From: x@y.example\r\nSubject: inner\r\n\r\nInner text\r\n--m--\r\n")
    parsed = parse_mail(raw)
    assert parsed.text == "See below."
    assert [a.filename for a in parsed.attachments] == ["forwarded-message.eml"]
    assert b"Inner text" in parsed.attachments[0].payload


def test_raw_8bit_and_unknown_charset_headers_are_decoded_with_replacement():
    raw = ("From: Jos\u00e9 <jose@acme.example>\r\n".encode()
           + b"Subject: =?x-nope?B?Y2Fm6Q==?=\r\n\r\nbody")
    parsed = parse_mail(raw)
    assert parsed.sender == "jose@acme.example"
    assert parsed.subject == "caf\ufffd"
    assert any("unknown charset 'x-nope'" in note for note in parsed.notes)
