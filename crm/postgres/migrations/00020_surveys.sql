-- IVR surveys (package survey): definitions, responses with answers saved
-- one by one as callers press digits, and phone questionnaire campaigns
-- (contacts and their call attempts) that survive restarts.

-- +goose Up
CREATE TABLE survey_definitions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    definition jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX survey_definitions_one_default ON survey_definitions (is_default) WHERE is_default;

CREATE TABLE survey_campaigns (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL,
    survey_id           bigint NOT NULL REFERENCES survey_definitions (id),
    state               text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'running', 'paused', 'done')),
    time_zone           text NOT NULL DEFAULT 'UTC',
    window_start        integer NOT NULL DEFAULT 540 CHECK (window_start BETWEEN 0 AND 1440),
    window_end          integer NOT NULL DEFAULT 1200 CHECK (window_end BETWEEN 0 AND 1440),
    max_concurrent      integer NOT NULL DEFAULT 2 CHECK (max_concurrent > 0),
    per_minute          integer NOT NULL DEFAULT 10 CHECK (per_minute > 0),
    max_attempts        integer NOT NULL DEFAULT 3 CHECK (max_attempts > 0),
    retry_delay_seconds integer NOT NULL DEFAULT 600 CHECK (retry_delay_seconds >= 0),
    caller_id           text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE survey_campaign_contacts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint NOT NULL REFERENCES survey_campaigns (id) ON DELETE CASCADE,
    phone           text NOT NULL,
    client_id       bigint REFERENCES clients (id) ON DELETE SET NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'calling', 'done', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    channel_id      text NOT NULL DEFAULT '',
    last_result     text NOT NULL DEFAULT '',
    response_id     bigint,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT survey_campaign_contacts_phone UNIQUE (campaign_id, phone)
);
CREATE INDEX survey_campaign_contacts_due ON survey_campaign_contacts (campaign_id, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX survey_campaign_contacts_calling ON survey_campaign_contacts (campaign_id) WHERE status = 'calling';

CREATE TABLE survey_campaign_attempts (
    contact_id bigint NOT NULL REFERENCES survey_campaign_contacts (id) ON DELETE CASCADE,
    attempt    integer NOT NULL,
    channel_id text NOT NULL UNIQUE,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    result     text NOT NULL DEFAULT '',
    PRIMARY KEY (contact_id, attempt)
);
CREATE INDEX survey_campaign_attempts_started ON survey_campaign_attempts (started_at);

CREATE TABLE survey_responses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id   bigint NOT NULL REFERENCES survey_definitions (id),
    node        text NOT NULL,
    channel_id  text NOT NULL,
    linkedid    text NOT NULL DEFAULT '',
    caller      text NOT NULL DEFAULT '',
    agent       text NOT NULL DEFAULT '',
    client_id   bigint REFERENCES clients (id) ON DELETE SET NULL,
    contact_id  bigint REFERENCES survey_campaign_contacts (id) ON DELETE SET NULL,
    state       text NOT NULL DEFAULT 'in_progress'
                CHECK (state IN ('in_progress', 'completed', 'partial', 'no_input', 'opted_out')),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    CONSTRAINT survey_responses_channel UNIQUE (node, channel_id)
);
CREATE INDEX survey_responses_started ON survey_responses (started_at);
CREATE INDEX survey_responses_agent ON survey_responses (agent, started_at) WHERE agent <> '';
CREATE INDEX survey_responses_open ON survey_responses (node) WHERE state = 'in_progress';

-- One row per answered question: the primary key makes each answer stored exactly once.
CREATE TABLE survey_answers (
    response_id bigint NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    idx         integer NOT NULL,
    key         text NOT NULL,
    value       integer NOT NULL,
    scale       text NOT NULL,
    low         boolean NOT NULL DEFAULT false,
    at          timestamptz NOT NULL,
    PRIMARY KEY (response_id, idx)
);

-- The shipped default survey (survey.DefaultSurvey); every prompt is in
-- Asterisk's core English sounds: hello-world, beep, auth-thankyou,
-- vm-goodbye, option-is-invalid, and digits: from the digits/ sounds.
INSERT INTO survey_definitions (name, is_default, definition) VALUES ('After-call satisfaction', true, '{
  "name": "After-call satisfaction", "language": "en", "default": true,
  "intro": ["sound:hello-world"],
  "questions": [
    {"key": "agent", "text": "How satisfied are you with the agent? 1 to 5", "prompt": ["sound:beep", "digits:15"], "min": 1, "max": 5, "required": true},
    {"key": "nps", "text": "How likely are you to recommend us? 0 to 10", "prompt": ["sound:beep", "digits:010"], "min": 0, "max": 10, "required": false}
  ],
  "thanks": ["sound:auth-thankyou", "sound:vm-goodbye"],
  "invalid": ["sound:option-is-invalid"],
  "timeout_seconds": 5, "inter_digit_seconds": 2, "retries": 1, "low_score": 2
}');

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_responses;
DROP TABLE survey_campaign_attempts;
DROP TABLE survey_campaign_contacts;
DROP TABLE survey_campaigns;
DROP TABLE survey_definitions;
