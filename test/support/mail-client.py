# A real SMTP and IMAP client for the end-to-end tests (Python's smtplib and imaplib), driven by JSON on stdin:
#   {"send": {"host", "port", "jobs": [{"helo", "from", "to": [...], "path" | "raw_b64"}]}}
#     -> [{"code", "message"}] per job, one connection each; the code of the DATA reply (or of the refusal).
#   {"read": {"host", "port", "user", "password", "folders": [...]}}
#     -> {folder: [header block text of every message]}
import base64
import imaplib
import json
import smtplib
import sys


def send(spec):
    results = []
    for job in spec["jobs"]:
        raw = open(job["path"], "rb").read() if "path" in job else base64.b64decode(job["raw_b64"])
        try:
            with smtplib.SMTP(spec["host"], spec["port"], local_hostname=job["helo"], timeout=60) as smtp:
                refused = smtp.sendmail(job["from"], job["to"], raw)
                results.append({"code": 250, "message": json.dumps({k: list(v) for k, v in refused.items()}, default=str)})
        except smtplib.SMTPRecipientsRefused as err:
            code, message = next(iter(err.recipients.values()))
            results.append({"code": code, "message": message.decode("latin1")})
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as err:
            results.append({"code": err.smtp_code, "message": err.smtp_error.decode("latin1")})
    return results


def read(spec):
    imap = imaplib.IMAP4(spec["host"], spec["port"])
    imap.login(spec["user"], spec["password"])
    found = {}
    for folder in spec["folders"]:
        status, _ = imap.select(folder, readonly=True)
        if status != "OK":
            raise RuntimeError("cannot select " + folder)
        _, data = imap.uid("SEARCH", None, "ALL")
        headers = []
        for uid in data[0].split():
            _, parts = imap.uid("FETCH", uid, "(BODY.PEEK[HEADER])")
            headers.append(parts[0][1].decode("latin1"))
        found[folder] = headers
    imap.logout()
    return found


request = json.load(sys.stdin)
if "send" in request:
    json.dump(send(request["send"]), sys.stdout)
else:
    json.dump(read(request["read"]), sys.stdout)
