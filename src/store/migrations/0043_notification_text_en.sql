-- ytexa 0043: a notification in the reader's language. Notifications were written in Vietnamese
-- alone, so the app in English showed them in Vietnamese. Each one made from now on also keeps its
-- English text; the app and the API choose by the reader's language, and a notification stored
-- before this (no English text) is shown in Vietnamese. SMS and other outward messages stay in
-- Vietnamese (text_vi).
ALTER TABLE notifications ADD COLUMN text_en TEXT;
