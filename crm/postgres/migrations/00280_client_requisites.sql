-- Clients' Russian legal details for contracts and invoices (crm.Requisites):
-- INN, KPP, OGRN/OGRNIP, legal and postal address, bank name, BIK, settlement
-- and correspondent account. Check digits are the domain's (crm/requisites.go);
-- the database keeps the shapes, so nothing malformed gets in by another path.

-- +goose Up
ALTER TABLE clients
    ADD COLUMN inn            text NOT NULL DEFAULT '' CHECK (inn ~ '^([0-9]{10}|[0-9]{12})?$'),
    ADD COLUMN kpp            text NOT NULL DEFAULT '' CHECK (kpp ~ '^([0-9]{4}[0-9A-Z]{2}[0-9]{3})?$'),
    ADD COLUMN ogrn           text NOT NULL DEFAULT '' CHECK (ogrn ~ '^([0-9]{13}|[0-9]{15})?$'),
    ADD COLUMN legal_address  text NOT NULL DEFAULT '' CHECK (char_length(legal_address) <= 500),
    ADD COLUMN postal_address text NOT NULL DEFAULT '' CHECK (char_length(postal_address) <= 500),
    ADD COLUMN bank_name      text NOT NULL DEFAULT '' CHECK (char_length(bank_name) <= 300),
    ADD COLUMN bik            text NOT NULL DEFAULT '' CHECK (bik ~ '^([0-9]{9})?$'),
    ADD COLUMN bank_account   text NOT NULL DEFAULT '' CHECK (bank_account ~ '^([0-9]{20})?$'),
    ADD COLUMN corr_account   text NOT NULL DEFAULT '' CHECK (corr_account ~ '^([0-9]{20})?$');
CREATE INDEX clients_inn ON clients (inn) WHERE inn <> '';

-- +goose Down
DROP INDEX clients_inn;
ALTER TABLE clients
    DROP COLUMN inn, DROP COLUMN kpp, DROP COLUMN ogrn, DROP COLUMN legal_address, DROP COLUMN postal_address,
    DROP COLUMN bank_name, DROP COLUMN bik, DROP COLUMN bank_account, DROP COLUMN corr_account;
