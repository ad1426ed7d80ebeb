"""Everything that speaks Label Studio: the local server, the HTTP client, push, pull and the
conversion of its JSON into annotate's records. Nothing outside this package sees that JSON."""
