"""Training courses carry a topic: stored, checked, searchable, shown on pages and in the API."""
from __future__ import annotations

from sqlalchemy import func, select

from market.models import Role
from market.models.techtransfer import TrainingCourse
from market.services import listings
from tests.conftest import bearer, login
from tests.factories_techtransfer import admin, course_data, publish

TOPIC = "Vận hành tháp hấp thụ SO2 cho lò hơi đốt than"


def test_topic_is_stored_searchable_and_kept_on_edit(session, make):
    course, trainer = publish(session, make, "course", topic=TOPIC)
    assert session.get(TrainingCourse, course.id).topic == TOPIC
    assert listings.public_dict(session, None, course)["topic"] == TOPIC
    assert [c.id for c in listings.search(session, "course", {"q": "hấp thụ SO2"})] == [course.id]
    listings.update(session, trainer, course.id, {"capacity": 25})
    assert session.get(TrainingCourse, course.id).topic == TOPIC and course.capacity == 25


def test_course_topic_through_the_api(client, make, session):
    trainer = make.user(Role.EXPERT)
    h = bearer(client, trainer.email)
    r = client.post("/api/v1/courses", json=course_data(topic="x" * 201), headers=h)
    assert r.status_code == 422 and "topic" in r.get_json()["error"]["fields"]
    assert session.scalar(select(func.count()).select_from(TrainingCourse)) == 0
    r = client.post("/api/v1/courses", json=course_data(topic=TOPIC, submit=True), headers=h)
    assert r.status_code == 201, r.get_json()
    course_id = r.get_json()["id"]
    assert r.get_json()["topic"] == TOPIC
    boss = bearer(client, admin(make).email)
    assert client.post(f"/api/v1/review/listings/{course_id}/approve", headers=boss).status_code == 200
    assert client.get(f"/api/v1/courses/{course_id}").get_json()["topic"] == TOPIC
    schema = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert "what the course teaches" in schema


def test_course_form_takes_the_topic_and_pages_show_it(client, make, session):
    trainer = make.user(Role.EXPERT)
    login(client, trainer.email)
    assert 'name="topic"' in client.get("/techtransfer/courses/new").get_data(as_text=True)
    form = {k: str(v) for k, v in course_data(topic=TOPIC).items()} | {"action": "submit"}
    r = client.post("/techtransfer/courses/new", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    course = session.scalars(select(TrainingCourse)).one()
    assert course.topic == TOPIC
    listings.approve(session, admin(make), course.id)
    client.post("/account/logout")
    assert TOPIC in client.get(f"/techtransfer/listings/{course.id}").get_data(as_text=True)
    assert TOPIC in client.get("/techtransfer/courses").get_data(as_text=True)
