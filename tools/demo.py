"""`make demo`: the client against local_server(): create, update, and a wrong key handled."""

from __future__ import annotations

import logging
import uuid

from raia_agent import PermissionDeniedError, Raia
from raia_agent.testing import local_server


def main() -> None:
    # stamina logs each scheduled retry as a warning; the demo reports retries itself.
    logging.getLogger("stamina").setLevel(logging.ERROR)
    message_id, user_id = uuid.uuid4(), uuid.uuid4()
    with local_server() as server:
        print(f"local server on {server.base_url}")
        with Raia(secret_key=server.secret_key, base_url=server.base_url) as client:
            created = client.feedback.create_or_update(
                conversation_message_id=message_id,
                user_id=user_id,
                vote_type="up",
                question="How do I reset it?",
            )
            print(f"created  {created.id} vote={created.vote_type} at {created.created_at}")
            updated = client.feedback.create_or_update(
                conversation_message_id=message_id,
                user_id=user_id,
                vote_type="down",
                question="How do I reset it?",
                answer="Use the reset link.",
                comment="The link has expired.",
            )
            print(
                f"updated  {updated.id} vote={updated.vote_type} at {updated.updated_at} (same id: {updated.id == created.id})"
            )
            server.fail_next("500", times=2)
            again = client.feedback.with_raw_response.create_or_update(
                conversation_message_id=message_id,
                user_id=user_id,
                vote_type="down",
                question="How do I reset it?",
            )
            print(f"two injected 500s retried: {again.status_code} request id {again.request_id}")
        with Raia(secret_key="not-the-key", base_url=server.base_url) as wrong:
            try:
                wrong.feedback.create_or_update(
                    conversation_message_id=message_id, user_id=user_id, vote_type="up", question="?"
                )
            except PermissionDeniedError as exc:
                detail = exc.error.message if exc.error else exc.body
                print(f"wrong key handled: {type(exc).__name__} {exc.status_code} {detail}")


if __name__ == "__main__":
    main()
