"""The server-side half of setting up a load test, run in the server's environment.

    DJANGO_SETTINGS_MODULE=safehub.settings.demo DATABASE_URL=... \
        python -m bench.load.prepare --accounts 50 --out sample.json

After `safehub demo --no-serve` has loaded the demo: one account per simulated user and role
(`load-practitioner-7` …, the demo password, an authenticator key derived as the demo's are),
so no two simulated users share an account and trip the one-use rule of sign-in codes; and a
sample of what the users ask for (children's ids, family names to search for, the children
shared with the partner's agency), written as JSON for the locust file.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import django

# Simulated roles: the demo account each copies (role and agency).
ROLES = ("practitioner", "manager", "police", "partner", "analyst")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, required=True, help="accounts per role")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    django.setup()
    from django.db import transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from safehub.access import services as access  # noqa: PLC0415
    from safehub.access import two_factor  # noqa: PLC0415
    from safehub.access.models import User  # noqa: PLC0415
    from safehub.access.policy import SYSTEM  # noqa: PLC0415
    from safehub.demo import services as demo  # noqa: PLC0415
    from safehub.people.models import Child, Share  # noqa: PLC0415
    from safehub.rules.plausibility import OLDEST_AGE_AT_REFERRAL  # noqa: PLC0415

    with transaction.atomic():
        for role in ROLES:
            model = User.objects.get(username=role)
            for number in range(args.accounts):
                username = f"load-{role}-{number}"
                if User.objects.filter(username=username).exists():
                    continue
                user = access.create_user(
                    username=username,
                    agency=model.agency,
                    role=model.role,
                    password=demo.demo_password(),
                    first_name="Load",
                    last_name="(demo)",
                    acting_user=SYSTEM,
                    check_password=False,
                )
                two_factor.issue_device(
                    user, key_hex=demo.demo_totp_key(username), acting_user=SYSTEM
                )
    partner = User.objects.get(username="partner")
    shared = Share.objects.filter(
        agency_id=partner.agency_id,
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
    ).values_list("child_id", flat=True)
    held = list(
        Child.objects.filter(merged_into=None).values_list("pk", "family_name", "date_of_birth")
    )
    rng = random.Random(16)
    picked = rng.sample(held, min(500, len(held)))
    # A referral today is for a child young enough to be referred (the plausibility rule);
    # the demo's history holds children who have since grown older than that.
    today = timezone.localdate()
    oldest = today.replace(year=today.year - OLDEST_AGE_AT_REFERRAL)
    sample = {
        "password": demo.demo_password(),
        "accounts": args.accounts,
        "roles": ROLES,
        "children": [pk for pk, _, _ in picked],
        "referable_children": [pk for pk, _, born in picked if born is None or born > oldest],
        "family_names": sorted({name for _, name, _ in picked}),
        "shared_children": sorted(set(shared))[:200],
    }
    with Path(args.out).open("w", encoding="utf-8") as out:
        json.dump(sample, out)
    print(
        f"{args.accounts} accounts per role ready; {len(sample['children'])} children, "
        f"{len(sample['shared_children'])} shared with the partner's agency."
    )


if __name__ == "__main__":
    main()
