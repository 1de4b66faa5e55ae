-- The 'russian' stemmer reads a noun ending in -сь as a reflexive verb:
-- "запись" stems to "зап" but "записи" to "запис", so neither found the
-- other. kb_ru_forms adds, for each word ending in -сь, the same word
-- ending in -си ("запись" -> "записи"); the knowledge base applies it to
-- articles and to queries alike (SearchArticles), so every form meets.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION kb_ru_forms(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(t, '([А-Яа-яЁё]+[Сс])[Ьь](?![А-Яа-яЁё])', '\1и', 'g')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kb_tsv(lang text, title text, tags text[], body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lang WHEN 'russian' THEN
        setweight(to_tsvector('russian', title), 'A') ||
        setweight(to_tsvector('russian', kb_ru_forms(title)), 'A') ||
        setweight(to_tsvector('russian', array_to_string(tags, ' ')), 'B') ||
        setweight(to_tsvector('russian', body), 'C') ||
        setweight(to_tsvector('russian', kb_ru_forms(body)), 'C')
    ELSE
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', array_to_string(tags, ' ')), 'B') ||
        setweight(to_tsvector('english', body), 'C')
    END
$$;
-- +goose StatementEnd
UPDATE kb_articles SET title = title; -- recompute tsv

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kb_tsv(lang text, title text, tags text[], body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lang WHEN 'russian' THEN
        setweight(to_tsvector('russian', title), 'A') ||
        setweight(to_tsvector('russian', array_to_string(tags, ' ')), 'B') ||
        setweight(to_tsvector('russian', body), 'C')
    ELSE
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', array_to_string(tags, ' ')), 'B') ||
        setweight(to_tsvector('english', body), 'C')
    END
$$;
-- +goose StatementEnd
UPDATE kb_articles SET title = title;
DROP FUNCTION kb_ru_forms(text);
