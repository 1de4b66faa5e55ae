package postgres_test

import (
	"errors"

	"hotline/crm"
)

func asError(err error, target **crm.Error) bool { return errors.As(err, target) }
