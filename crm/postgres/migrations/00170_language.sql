-- The language a user reads Hotline in and a client is spoken and written
-- to in: 'ru' or 'en'; '' means the user's browser or the centre's
-- language (HOTLINE_LANGUAGE).

-- +goose Up
ALTER TABLE users
    ADD COLUMN language text NOT NULL DEFAULT ''
        CONSTRAINT users_language_check CHECK (language IN ('', 'ru', 'en'));
ALTER TABLE clients
    ADD COLUMN language text NOT NULL DEFAULT ''
        CONSTRAINT clients_language_check CHECK (language IN ('', 'ru', 'en'));

-- +goose Down
ALTER TABLE clients DROP COLUMN language;
ALTER TABLE users DROP COLUMN language;
