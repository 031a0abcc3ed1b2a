"""The default catalog every new tierdesk starts from.

`catalog_load_defaults()` creates the strategic and tactical services of a typical MSP, the
client segments with their price factors and specialised requirements, and a library of
recurring maintenance tasks (daily, weekly, monthly, quarterly, yearly) drawn from common MSP
practice. It is idempotent and conservative: rows are matched by slug (services, segments) or
by title (requirements within a segment, tasks within a service) and only missing rows are
created — a rerun never overwrites what the MSP has since edited. It writes the models
directly (no audit rows): it is installation, not an MSP's decision.
"""

from decimal import Decimal

from django.db import transaction

from tierdesk.catalog.models import MaintenanceTask, Segment, SegmentRequirement, Service

# -- services ---------------------------------------------------------------------------------

STRATEGIC_SERVICES = [
    ("business-planning", "Business and ROI planning",
     "Align IT spending with business goals: technology roadmaps, return-on-investment "
     "estimates for proposed projects and an annual review of what IT delivered.", "onsite"),
    ("it-personnel", "IT personnel management",
     "Advise on in-house IT roles, hiring and vendor management; act as the fractional IT "
     "manager for clients without one.", "onsite"),
    ("it-budgeting", "IT budgeting and resource planning",
     "Build the yearly IT budget: hardware refresh cycles, licence renewals, projects and "
     "the support agreement, so that spending has no surprises.", "remote"),
    ("asset-management", "Asset management",
     "Keep the inventory of hardware, software licences, warranties and renewals current, "
     "and flag devices out of warranty or past end of life.", "remote"),
]

TACTICAL_SERVICES = [
    ("spam-filtering", "Spam filtering",
     "Filter inbound e-mail for spam, phishing and malicious attachments; manage the "
     "quarantine, allow/block lists and sender authentication (SPF, DKIM, DMARC).", "remote"),
    ("spyware-removal", "Spyware detection and removal",
     "Detect and remove spyware, adware and potentially unwanted programs on workstations "
     "and servers, and clean up after infections.", "remote"),
    ("virus-definitions", "Virus definition updates",
     "Keep antivirus/endpoint protection installed, running and on current definitions on "
     "every managed device; chase devices that fall behind.", "remote"),
    ("security-monitoring", "Security monitoring and updates",
     "Watch firewall, endpoint and account alerts; keep firewalls and routers updated; "
     "review rules, user accounts and multi-factor enrolment.", "remote"),
    ("backup-dr", "Backups and disaster recovery",
     "Run and verify local and offsite backups, test restores regularly, and keep a "
     "documented disaster-recovery plan that has actually been rehearsed.", "remote"),
    ("event-log-monitoring", "Event log monitoring",
     "Collect and review server and security event logs for failures, intrusion attempts "
     "and early warnings of hardware trouble; retain logs as required.", "remote"),
    ("patch-management", "Patch management and upgrades",
     "Test and apply operating-system, firmware and third-party application updates on a "
     "schedule, report compliance, and plan upgrades before end of support.", "remote"),
    ("network-optimization", "Network optimization",
     "Measure bandwidth, Wi-Fi and switch performance, remove bottlenecks and keep network "
     "documentation current; periodic network audits.", "remote"),
    ("ups-management", "UPS management",
     "Monitor uninterruptible power supplies, run self-tests, check battery runtime and "
     "make sure servers shut down cleanly on a long outage.", "onsite"),
    ("policy-development", "Policy development",
     "Write and review IT policies — acceptable use, passwords, remote work, data "
     "retention, incident response — and the security-awareness programme behind them.",
     "remote"),
    ("help-desk", "Help desk support",
     "Answer end users' how-to questions and problems by phone, e-mail, portal or remote "
     "session: passwords, printing, e-mail, applications.", "remote"),
]

# -- segments ---------------------------------------------------------------------------------

# (slug, name, price factor, description, [(requirement title, service slug, minimum level,
#  description)])
SEGMENTS = [
    ("home", "Home user", "0.60",
     "Households and home offices: a few computers and phones, little server "
     "infrastructure, price-sensitive, mostly remote help.",
     [("Antivirus kept current on family devices", "virus-definitions", "monitored",
       "Every family computer runs protection with current definitions."),
      ("Backup of documents and photos", "backup-dr", "monitored",
       "Personal files are backed up to the cloud or an external drive and checked.")]),
    ("small-business", "Small business", "1.00",
     "Offices of 5–50 people with a server or cloud tenant, line-of-business applications "
     "and a dependence on e-mail and file sharing.",
     [("Nightly verified backups", "backup-dr", "maintained",
       "Business data is backed up every night and the result is checked."),
      ("Monthly patching", "patch-management", "maintained",
       "Workstations and servers receive the monthly updates on schedule.")]),
    ("medical", "Medical office", "1.25",
     "Clinics, dental and physiotherapy practices handling electronic protected health "
     "information (ePHI) under HIPAA.",
     [("HIPAA security risk assessment", "security-monitoring", "maintained",
       "A documented yearly risk assessment of systems holding ePHI (45 CFR 164.308)."),
      ("Quarterly access reviews", "security-monitoring", "maintained",
       "Every quarter, user access to ePHI systems is reviewed and leavers removed."),
      ("Encrypted backups", "backup-dr", "maintained",
       "Backups containing ePHI are encrypted at rest and in transit, and restores tested."),
      ("Audit log review of ePHI systems", "event-log-monitoring", "monitored",
       "Access logs of the practice-management and imaging systems are reviewed."),
      ("HIPAA policies and business associate agreements", "policy-development",
       "monitored", "Security policies and BAAs are reviewed every year.")]),
    ("finance", "High-security / finance", "1.35",
     "Banks, credit unions, accountants and wealth managers: regulators expect strict patch "
     "windows, privileged-access control and audit evidence.",
     [("Critical patches within 72 hours", "patch-management", "supported",
       "Critical security updates are applied within three days of release."),
      ("Audit evidence and log retention", "event-log-monitoring", "maintained",
       "Security logs are archived and retained (seven years) and can be produced for "
       "an examiner."),
      ("Quarterly privileged-access review", "security-monitoring", "supported",
       "Administrator and privileged accounts are reviewed and signed off every quarter."),
      ("Encrypted offsite backups", "backup-dr", "maintained",
       "Backups are encrypted and a copy is kept offsite or immutable.")]),
    ("non-profit", "Non-profit", "0.85",
     "Charities and community organisations: donated licences, volunteers sharing "
     "computers, tight budgets, donor data to protect.",
     [("Donor database backups", "backup-dr", "maintained",
       "The donor/CRM database is backed up and restorable."),
      ("Volunteer account hygiene", "security-monitoring", "monitored",
       "Accounts of departed volunteers are disabled promptly.")]),
    ("mixed-mac-pc", "Mixed Mac/PC office", "1.15",
     "Design studios, agencies and offices running macOS beside Windows, which need "
     "Mac-specific patching, backup and protection.",
     [("Mac-specific patching", "patch-management", "maintained",
       "macOS and Mac applications are updated as well as Windows."),
      ("Mac backup (Time Machine or equivalent)", "backup-dr", "maintained",
       "Macs are backed up and their backups verified."),
      ("Protection on Macs", "virus-definitions", "maintained",
       "Macs run endpoint protection with current definitions.")]),
]

# -- maintenance tasks -----------------------------------------------------------------------

DAILY = "FREQ=DAILY"
WEEKLY_MON = "FREQ=WEEKLY;BYDAY=MO"
WEEKLY_FRI = "FREQ=WEEKLY;BYDAY=FR"
WEEKLY_SAT = "FREQ=WEEKLY;BYDAY=SA"
MONTHLY_1ST = "FREQ=MONTHLY;BYMONTHDAY=1"
MONTHLY_15TH = "FREQ=MONTHLY;BYMONTHDAY=15"
# The Thursday after Patch Tuesday (second Tuesday, days 8–14): always on days 10–16, which
# leaves two days to watch for broken updates before rolling them out.
AFTER_PATCH_TUESDAY = "FREQ=MONTHLY;BYDAY=TH;BYMONTHDAY=10,11,12,13,14,15,16"
QUARTERLY = "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1"
YEARLY = "FREQ=YEARLY"

R, ONSITE = "remote", "onsite"

# (service slug, title, rrule, minutes, delivery, checklist, segment slugs (empty = all),
#  is_audit)
TASKS = [
    # spam filtering
    ("spam-filtering", "Review quarantined spam and tune filters", WEEKLY_MON, 20, R,
     ["Release legitimate mail held in quarantine", "Add confirmed spam senders to block list",
      "Adjust filter sensitivity if false positives recur"], [], False),
    ("spam-filtering", "Check mail flow and filter service health", DAILY, 5, R,
     ["Confirm inbound and outbound mail queues are empty",
      "Check the filtering service status page for incidents"], [], False),
    ("spam-filtering", "Review SPF, DKIM and DMARC reports", MONTHLY_1ST, 20, R,
     ["Read the DMARC aggregate reports", "Identify unauthorised senders of the domain",
      "Update SPF/DKIM records for new mail services"], [], False),
    # spyware
    ("spyware-removal", "Review anti-malware detections and clean infected devices", DAILY, 10,
     R, ["Open the endpoint console's detection list", "Quarantine or remove threats",
         "Open a ticket for any device that could not be cleaned"], [], False),
    ("spyware-removal", "Run full anti-spyware scan on all workstations", WEEKLY_SAT, 15, R,
     ["Schedule scans outside office hours", "Review scan results on Monday",
      "Re-scan devices that were offline"], [], False),
    ("spyware-removal", "Review installed browser extensions and unwanted programs",
     QUARTERLY, 30, R,
     ["Export the software inventory", "Flag unapproved extensions and PUPs",
      "Remove them and note the users concerned"], [], False),
    # virus definitions
    ("virus-definitions", "Confirm antivirus definitions are current on every endpoint", DAILY,
     5, R, ["Filter the console for definitions older than 24 hours",
            "Force an update on stale devices"], [], False),
    ("virus-definitions", "Investigate endpoints with disabled or missing protection",
     WEEKLY_MON, 15, R,
     ["List devices without a reporting agent", "Reinstall or re-enable protection",
      "Compare the device list with the asset inventory"], [], False),
    ("virus-definitions", "Check Mac endpoint protection status", WEEKLY_MON, 10, R,
     ["Confirm every Mac reports to the console", "Check definitions and full-disk access"],
     ["mixed-mac-pc"], False),
    ("virus-definitions", "Renew antivirus licences and reconcile seat count", YEARLY, 20, R,
     ["Compare licensed seats with active devices", "Renew before expiry",
      "Remove licences from retired devices"], [], False),
    # security monitoring
    ("security-monitoring", "Review firewall and endpoint security alerts", DAILY, 10, R,
     ["Review blocked intrusion attempts", "Escalate anything that reached an endpoint"],
     [], False),
    ("security-monitoring", "Review user accounts and disable leavers", MONTHLY_1ST, 20, R,
     ["Compare active accounts with the client's staff list", "Disable accounts of leavers",
      "Check multi-factor enrolment of every user"], [], False),
    ("security-monitoring", "Apply firewall and router firmware updates", MONTHLY_15TH, 30, R,
     ["Back up the current configuration", "Apply the vendor's current stable firmware",
      "Confirm VPN and internet access afterwards"], [], False),
    ("security-monitoring", "Review firewall rules", QUARTERLY, 45, R,
     ["Export the rule set", "Remove rules with no owner or purpose",
      "Check no inbound port is open without a documented reason"], [], True),
    ("security-monitoring", "External vulnerability scan", QUARTERLY, 60, R,
     ["Scan the public IP addresses", "Rate findings by severity",
      "Open tickets for critical and high findings"], [], True),
    ("security-monitoring", "Quarterly user-access review of ePHI systems", QUARTERLY, 45, R,
     ["List users of the practice-management and imaging systems",
      "Confirm each user's access with the practice manager",
      "Remove access no longer needed and record the review"], ["medical"], True),
    ("security-monitoring", "Annual HIPAA security risk assessment", YEARLY, 240, ONSITE,
     ["Inventory systems that store or transmit ePHI", "Assess threats and current safeguards",
      "Rate risks and agree a remediation plan", "Deliver the signed assessment report"],
     ["medical"], True),
    ("security-monitoring", "Quarterly privileged-access review with sign-off", QUARTERLY, 45,
     R, ["List administrator and service accounts", "Confirm each with the client's officer",
         "Record the sign-off as audit evidence"], ["finance"], True),
    # backups
    ("backup-dr", "Verify nightly backup job completed", DAILY, 10, R,
     ["Check every job finished without errors", "Re-run or open a ticket for failed jobs"],
     [], False),
    ("backup-dr", "Verify offsite backup replication", WEEKLY_FRI, 15, R,
     ["Confirm the offsite/cloud copy is less than 24 hours old",
      "Check storage quota and retention"], [], False),
    ("backup-dr", "Test restore of a sample file", MONTHLY_15TH, 30, R,
     ["Restore a random file from last week's backup to a scratch location",
      "Open it to prove it is readable", "Record the test and the time it took"], [], False),
    ("backup-dr", "Full server restore test to a sandbox", QUARTERLY, 90, R,
     ["Restore the latest server image to an isolated VM", "Boot it and check key services",
      "Record the recovery time achieved"], [], False),
    ("backup-dr", "Verify backup encryption and key escrow", QUARTERLY, 30, R,
     ["Confirm backups are encrypted at rest and in transit",
      "Confirm the encryption key is escrowed where the client can reach it"],
     ["medical", "finance"], True),
    ("backup-dr", "Verify Time Machine backups on Macs", WEEKLY_FRI, 15, R,
     ["Check the last backup date of every Mac", "Fix Macs without a backup in 7 days"],
     ["mixed-mac-pc"], False),
    ("backup-dr", "Annual disaster-recovery test", YEARLY, 240, ONSITE,
     ["Walk through the disaster-recovery plan with the client",
      "Recover a critical system from backup", "Measure recovery time against the target",
      "Update the plan with lessons learned"], [], False),
    # event logs
    ("event-log-monitoring", "Review critical and error events on servers", DAILY, 15, R,
     ["Filter system and application logs for errors", "Check disk, RAID and SMART warnings",
      "Open tickets for recurring errors"], [], False),
    ("event-log-monitoring", "Review failed logons and account lockouts", WEEKLY_MON, 20, R,
     ["List accounts with repeated failures", "Check for password-spraying patterns",
      "Confirm lockouts with the users concerned"], [], False),
    ("event-log-monitoring", "Review audit logs of ePHI systems", MONTHLY_1ST, 30, R,
     ["Export access logs of ePHI applications", "Look for access outside working hours",
      "Report anomalies to the practice's privacy officer"], ["medical"], True),
    ("event-log-monitoring", "Archive security logs and verify retention", MONTHLY_1ST, 30, R,
     ["Export last month's security logs to the archive", "Verify the archive is immutable",
      "Confirm seven years of logs are retained"], ["finance"], True),
    # patches
    ("patch-management", "Apply monthly Windows patches (Patch Tuesday)", AFTER_PATCH_TUESDAY,
     60, R, ["Approve this month's updates after the test group ran them for two days",
             "Deploy to workstations and servers", "Reboot servers in the maintenance window",
             "Report devices that failed to patch"], [], False),
    ("patch-management", "Apply third-party application updates", WEEKLY_SAT, 20, R,
     ["Update browsers, PDF readers and runtimes", "Check line-of-business app vendors' notes"],
     [], False),
    ("patch-management", "Review patch compliance report", WEEKLY_MON, 15, R,
     ["List devices missing updates older than 30 days", "Remediate or document exceptions"],
     [], False),
    ("patch-management", "Apply critical security patches within 72 hours", WEEKLY_MON, 30, R,
     ["Check vendor advisories for critical/exploited vulnerabilities",
      "Apply them within 72 hours of release", "Record the patch date as audit evidence"],
     ["finance"], False),
    ("patch-management", "Audit patch evidence and exceptions", YEARLY, 60, R,
     ["Sample ten systems and match installed patches to the release dates",
      "Check every critical patch was applied within 72 hours, with its evidence",
      "Review open patch exceptions and their compensating controls"],
     ["finance"], True),
    ("patch-management", "Apply macOS and Mac application updates", MONTHLY_15TH, 30, R,
     ["Check macOS security updates and Rapid Security Responses",
      "Update Mac applications", "Confirm every Mac is on a supported macOS"],
     ["mixed-mac-pc"], False),
    ("patch-management", "Update server firmware and drivers", QUARTERLY, 45, R,
     ["Check the vendor's support site for BIOS, RAID and NIC updates",
      "Apply in the maintenance window", "Confirm services after reboot"], [], False),
    ("patch-management", "Review end-of-life hardware and software and plan upgrades",
     YEARLY, 60, R,
     ["List operating systems and devices reaching end of support",
      "Quote replacements for the coming year's budget"], [], False),
    # network
    ("network-optimization", "Review bandwidth use and top talkers", MONTHLY_1ST, 30, R,
     ["Check utilisation peaks on the internet link", "Identify unusual top talkers",
      "Recommend QoS or link upgrades"], [], False),
    ("network-optimization", "Verify internet failover and ISP performance", QUARTERLY, 30, R,
     ["Compare measured speed with the ISP contract", "Test failover to the backup link"],
     [], True),
    ("network-optimization", "Quarterly network audit: switches, Wi-Fi and documentation",
     QUARTERLY, 120, ONSITE,
     ["Survey Wi-Fi coverage and channel interference",
      "Check switch port errors and uplink utilisation",
      "Find unknown devices on the network", "Update the network diagram"], [], True),
    ("network-optimization", "Annual network audit and documentation review", YEARLY, 240, ONSITE,
     ["Walk the site and inventory every network device", "Review the IP plan and VLANs",
      "Check cabling and rack condition", "Deliver the audit report with recommendations"],
     [], True),
    # UPS
    ("ups-management", "Review UPS power-event alerts", WEEKLY_MON, 5, R,
     ["Check for power failures or on-battery events", "Note UPSes reporting faults"],
     [], False),
    ("ups-management", "UPS self-test and battery runtime check", MONTHLY_1ST, 15, R,
     ["Run the UPS self-test", "Compare estimated runtime with last month",
      "Flag batteries under 10 minutes of runtime"], [], False),
    ("ups-management", "Test graceful shutdown of servers on power loss", QUARTERLY, 30, ONSITE,
     ["Confirm the shutdown agent talks to the UPS",
      "Simulate a long outage in the maintenance window", "Confirm clean shutdown and restart"],
     [], False),
    ("ups-management", "Inspect UPS batteries and plan replacement", YEARLY, 45, ONSITE,
     ["Check battery age and swelling", "Quote replacement for batteries over 3 years old"],
     [], False),
    # policies
    ("policy-development", "Security-awareness reminder and phishing simulation", QUARTERLY,
     30, R, ["Send a simulated phishing e-mail", "Share results and a short lesson with staff"],
     [], False),
    ("policy-development", "Review acceptable-use and security policies", YEARLY, 90, R,
     ["Review policies against changes in the client's business",
      "Update the password and remote-work rules", "Have the client re-approve them"],
     [], False),
    ("policy-development", "Review HIPAA policies and business associate agreements", YEARLY,
     60, R, ["Review the security and privacy policies",
             "Confirm a signed BAA exists with every vendor handling ePHI"],
     ["medical"], True),
    ("policy-development", "Review volunteer and shared-account policy", YEARLY, 45, R,
     ["Review who uses shared computers and accounts",
      "Confirm volunteers sign the acceptable-use policy"], ["non-profit"], False),
    ("policy-development", "Review family safety and parental-control settings", YEARLY, 30, R,
     ["Check parental controls on children's devices", "Review password manager use"],
     ["home"], False),
    # help desk
    ("help-desk", "Follow up stale help-desk tickets", WEEKLY_FRI, 20, R,
     ["List tickets waiting on the client more than 5 days", "Chase or close them"],
     [], False),
    ("help-desk", "Review recurring issues and propose permanent fixes", MONTHLY_1ST, 30, R,
     ["Group last month's tickets by cause", "Propose a fix for the top three causes"],
     [], False),
    ("help-desk", "Review onboarding and offboarding checklist with the client", QUARTERLY, 20,
     R, ["Confirm the checklist matches the client's systems",
         "Add new applications and shared mailboxes"], [], False),
]


@transaction.atomic
def catalog_load_defaults() -> dict:
    """Create the default services, segments, requirements and tasks that are missing.

    Matches existing rows by slug (services, segments) or title (requirements within a
    segment, tasks within a service) and never changes them. Returns how many rows of each
    kind were created: {"services": n, "segments": n, "requirements": n, "tasks": n}.
    """
    created = {"services": 0, "segments": 0, "requirements": 0, "tasks": 0}

    services = {s.slug: s for s in Service.objects.all()}
    # A row the MSP re-slugged keeps its name: match on either, so the rerun neither
    # duplicates it nor trips the unique name.
    by_name = {s.name: s for s in services.values()}
    position = 0
    for kind, rows in (("strategic", STRATEGIC_SERVICES), ("tactical", TACTICAL_SERVICES)):
        for slug, name, description, delivery in rows:
            position += 10
            if slug in services or name in by_name:
                services.setdefault(slug, by_name.get(name))
                continue
            services[slug] = Service.objects.create(
                slug=slug, name=name, kind=kind, description=description,
                default_delivery=delivery, position=position,
            )
            created["services"] += 1

    segments = {s.slug: s for s in Segment.objects.all()}
    segments_by_name = {s.name: s for s in segments.values()}
    for index, (slug, name, factor, description, requirements) in enumerate(SEGMENTS):
        segment = segments.get(slug) or segments_by_name.get(name)
        if segment is None:
            segment = segments[slug] = Segment.objects.create(
                slug=slug, name=name, description=description,
                price_factor=Decimal(factor), position=(index + 1) * 10,
            )
            created["segments"] += 1
        segments[slug] = segment
        existing = set(segment.requirements.values_list("title", flat=True))
        for title, service_slug, level, req_description in requirements:
            if title in existing:
                continue
            SegmentRequirement.objects.create(
                segment=segment, title=title, description=req_description,
                service=services[service_slug], minimum_level=level,
            )
            created["requirements"] += 1

    existing_tasks = set(MaintenanceTask.objects.values_list("service_id", "title"))
    for slug, title, rrule, minutes, delivery, checklist, segment_slugs, is_audit in TASKS:
        if (services[slug].pk, title) in existing_tasks:
            continue
        task = MaintenanceTask.objects.create(
            service=services[slug], title=title, rrule=rrule, estimated_minutes=minutes,
            delivery=delivery, checklist=list(checklist), is_audit=is_audit,
        )
        if segment_slugs:
            task.segments.set([segments[s] for s in segment_slugs])
        created["tasks"] += 1
    return created
