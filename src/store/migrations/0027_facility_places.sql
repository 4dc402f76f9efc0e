-- ytexa 0027: the province of every facility as the reports read it, today's and the one before
-- the 2025 reform (issue 19, docs/reports.md "Provinces"). Resolution 202/2025/QH15 merged 63
-- provinces into 34 on 2025-07-01: a merged old province has successor_id, the 11 unchanged ones go
-- on as the same unit. A facility may still be filed under an abolished province (province_id of an
-- old unit) or under today's one in a commune created by the reform; each is counted once in
-- either view:
--   province_id      today's province: the filed province's successor, or the filed one;
--   old_province_id  the province as it was on 2025-06-30: the filed one when it existed then; else
--                    the old province of the facility's unit — an old commune's parent, the parent
--                    of a new commune's predecessors (the lowest when they were in several), for a
--                    unit that is a new province the predecessor of the same name (else the
--                    lowest) — else the filed one (a unit with no history).
-- facility_places_live computes it; facility_places keeps it, so that a report reads one row by key
-- per facility instead of computing it again for every event it joins. Triggers keep the copy in
-- the same transaction as the facility or unit that changes, on both engines. Districts are not
-- loaded (src/facility/README.md), so an old commune's parent is its province.
CREATE INDEX admin_units_successor ON admin_units(successor_id);

CREATE VIEW facility_places_live AS
SELECT x.facility_id, COALESCE(s.id, p.id) AS province_id, COALESCE(s.name, p.name) AS province_name,
  COALESCE(o.id, p.id) AS old_province_id, COALESCE(o.name, p.name) AS old_province_name
FROM (SELECT f.id AS facility_id, f.province_id, CASE
    WHEN p.valid_from < '2025-07-01' THEN p.id
    WHEN u.valid_from < '2025-07-01' THEN u.parent_id
    WHEN u.level = 'province' THEN COALESCE(
      (SELECT MIN(o2.id) FROM admin_units o2 WHERE o2.successor_id = u.id AND o2.name = u.name),
      (SELECT MIN(o2.id) FROM admin_units o2 WHERE o2.successor_id = u.id))
    ELSE (SELECT MIN(c.parent_id) FROM admin_units c WHERE c.successor_id = u.id AND c.valid_from < '2025-07-01')
    END AS old_id
  FROM facilities f JOIN admin_units p ON p.id = f.province_id JOIN admin_units u ON u.id = f.unit_id) x
JOIN admin_units p ON p.id = x.province_id
LEFT JOIN admin_units s ON s.id = p.successor_id
LEFT JOIN admin_units o ON o.id = x.old_id AND o.level = 'province';

CREATE TABLE facility_places (
  facility_id INTEGER PRIMARY KEY,
  province_id INTEGER NOT NULL,
  province_name TEXT NOT NULL,
  old_province_id INTEGER NOT NULL,
  old_province_name TEXT NOT NULL
);
CREATE INDEX facility_places_province ON facility_places(province_id);
CREATE INDEX facility_places_old_province ON facility_places(old_province_id);

INSERT INTO facility_places (facility_id, province_id, province_name, old_province_id, old_province_name)
SELECT facility_id, province_id, province_name, old_province_id, old_province_name FROM facility_places_live;

-- A facility's row follows it; a unit's change (rare: the reform's data is loaded once) computes
-- every facility's again, a few thousand rows.
-- @sqlite
CREATE TRIGGER facility_places_insert AFTER INSERT ON facilities BEGIN
  INSERT INTO facility_places SELECT * FROM facility_places_live WHERE facility_id = NEW.id;
END;
CREATE TRIGGER facility_places_update AFTER UPDATE OF unit_id, province_id ON facilities BEGIN
  DELETE FROM facility_places WHERE facility_id = NEW.id;
  INSERT INTO facility_places SELECT * FROM facility_places_live WHERE facility_id = NEW.id;
END;
CREATE TRIGGER facility_places_delete AFTER DELETE ON facilities BEGIN
  DELETE FROM facility_places WHERE facility_id = OLD.id;
END;
CREATE TRIGGER facility_places_unit_insert AFTER INSERT ON admin_units
WHEN EXISTS (SELECT 1 FROM facilities) BEGIN
  DELETE FROM facility_places;
  INSERT INTO facility_places SELECT * FROM facility_places_live;
END;
CREATE TRIGGER facility_places_unit_update AFTER UPDATE OF name, level, parent_id, valid_from, successor_id
ON admin_units WHEN EXISTS (SELECT 1 FROM facilities) BEGIN
  DELETE FROM facility_places;
  INSERT INTO facility_places SELECT * FROM facility_places_live;
END;
-- @postgres
CREATE FUNCTION facility_places_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM facility_places WHERE facility_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO facility_places SELECT * FROM facility_places_live WHERE facility_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER facility_places_insert AFTER INSERT ON facilities
  FOR EACH ROW EXECUTE FUNCTION facility_places_follow();
CREATE TRIGGER facility_places_update AFTER UPDATE OF unit_id, province_id ON facilities
  FOR EACH ROW EXECUTE FUNCTION facility_places_follow();
CREATE TRIGGER facility_places_delete AFTER DELETE ON facilities
  FOR EACH ROW EXECUTE FUNCTION facility_places_follow();
CREATE FUNCTION facility_places_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM facility_places;
  INSERT INTO facility_places SELECT * FROM facility_places_live;
  RETURN NULL;
END $$;
CREATE TRIGGER facility_places_unit_insert AFTER INSERT ON admin_units
  FOR EACH STATEMENT EXECUTE FUNCTION facility_places_recompute();
CREATE TRIGGER facility_places_unit_update AFTER UPDATE OF name, level, parent_id, valid_from, successor_id
  ON admin_units FOR EACH STATEMENT EXECUTE FUNCTION facility_places_recompute();
-- @end
