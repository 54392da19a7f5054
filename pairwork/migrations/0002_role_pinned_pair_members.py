"""A pair's artist must have the artist role and its nurse the nurse role.

A check constraint cannot look at another table, so the role is pinned with
a composite foreign key: (artist_id, artist_role) must exist as (id, role) in
staff profiles, and artist_role is checked to be 'artist'. Changing the role
of someone who is in a pair is refused by the same key.
"""
from django.db import migrations

SQL = """
ALTER TABLE pairwork_workpair
    ADD CONSTRAINT workpair_artist_has_artist_role
    FOREIGN KEY (artist_id, artist_role) REFERENCES pairwork_staffprofile (id, role)
    ON UPDATE RESTRICT ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE pairwork_workpair
    ADD CONSTRAINT workpair_nurse_has_nurse_role
    FOREIGN KEY (nurse_id, nurse_role) REFERENCES pairwork_staffprofile (id, role)
    ON UPDATE RESTRICT ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE;
"""

REVERSE = """
ALTER TABLE pairwork_workpair DROP CONSTRAINT workpair_artist_has_artist_role;
ALTER TABLE pairwork_workpair DROP CONSTRAINT workpair_nurse_has_nurse_role;
"""


class Migration(migrations.Migration):
    dependencies = [("pairwork", "0001_initial")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
