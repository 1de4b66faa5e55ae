-- Transaction categories are words in any script ("оплата услуг"), 1-64
-- characters; the domain (resource.Transaction.Validate) checks their form.
-- Down keeps every row: the old ASCII rule returns for new rows only.

-- +goose Up
ALTER TABLE money_transactions DROP CONSTRAINT money_transactions_category_check;
ALTER TABLE money_transactions ADD CONSTRAINT money_transactions_category_check
    CHECK (char_length(category) BETWEEN 1 AND 64 AND category = btrim(category));

-- +goose Down
ALTER TABLE money_transactions DROP CONSTRAINT money_transactions_category_check;
ALTER TABLE money_transactions ADD CONSTRAINT money_transactions_category_check
    CHECK (category ~ '^[a-z][a-z0-9_]{0,31}$') NOT VALID;
