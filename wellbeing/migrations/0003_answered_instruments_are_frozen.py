"""An instrument version that has answers is never changed in place.

Scores and aggregates are only comparable if the questions behind them stay
the same. Once a version has a response, PostgreSQL refuses:

* adding, changing or removing its items or scales;
* changing what it is (code, version, audience, time points).

Names, descriptions and "in use" may still change. To change a question,
an administrator creates a new version (the admin has an action for it).
"""
from django.db import migrations

SQL = """
CREATE FUNCTION wellbeing_refuse_answered_part_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    target bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        target := OLD.instrument_id;
    ELSE
        target := NEW.instrument_id;
    END IF;
    IF EXISTS (SELECT 1 FROM wellbeing_surveyresponse WHERE instrument_id = target)
       OR (TG_OP = 'UPDATE' AND OLD.instrument_id <> NEW.instrument_id
           AND EXISTS (SELECT 1 FROM wellbeing_surveyresponse WHERE instrument_id = OLD.instrument_id)) THEN
        RAISE EXCEPTION 'instrument % has answers: create a new version instead of changing %', target, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER wellbeing_item_frozen_when_answered
    BEFORE INSERT OR UPDATE OR DELETE ON wellbeing_item
    FOR EACH ROW EXECUTE FUNCTION wellbeing_refuse_answered_part_change();

CREATE TRIGGER wellbeing_scale_frozen_when_answered
    BEFORE INSERT OR UPDATE OR DELETE ON wellbeing_scale
    FOR EACH ROW EXECUTE FUNCTION wellbeing_refuse_answered_part_change();

CREATE FUNCTION wellbeing_refuse_answered_instrument_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.code, OLD.version, OLD.audience, OLD.time_points::text)
           IS DISTINCT FROM (NEW.code, NEW.version, NEW.audience, NEW.time_points::text)
       AND EXISTS (SELECT 1 FROM wellbeing_surveyresponse WHERE instrument_id = OLD.id) THEN
        RAISE EXCEPTION 'instrument % has answers: create a new version instead', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER wellbeing_instrument_frozen_when_answered
    BEFORE UPDATE ON wellbeing_instrument
    FOR EACH ROW EXECUTE FUNCTION wellbeing_refuse_answered_instrument_change();
"""

REVERSE = """
DROP TRIGGER wellbeing_instrument_frozen_when_answered ON wellbeing_instrument;
DROP FUNCTION wellbeing_refuse_answered_instrument_change();
DROP TRIGGER wellbeing_scale_frozen_when_answered ON wellbeing_scale;
DROP TRIGGER wellbeing_item_frozen_when_answered ON wellbeing_item;
DROP FUNCTION wellbeing_refuse_answered_part_change();
"""


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0002_aggregates_and_cost_settings")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
