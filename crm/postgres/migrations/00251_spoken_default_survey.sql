-- The shipped default survey speaks: its texts in Russian and English are
-- synthesized and played instead of Asterisk's English core sounds
-- (hello-world, digits:15). Only the seed of 00020, unchanged, is
-- rewritten; a survey an admin has edited keeps its definition.

-- +goose Up
UPDATE survey_definitions SET definition = '
{
  "name": "After-call satisfaction",
  "language": "ru",
  "default": true,
  "questions": [
    {
      "key": "agent",
      "text": "Оценка оператора, 1–5",
      "prompt": [
        "sound:beep"
      ],
      "min": 1,
      "max": 5,
      "required": true
    },
    {
      "key": "nps",
      "text": "Готовность рекомендовать, 0–10",
      "prompt": [
        "sound:beep"
      ],
      "max": 10
    }
  ],
  "texts": {
    "en": {
      "greeting": "Hello! This is the support team calling. Please answer two short questions.",
      "intro": "Please rate our conversation. It takes less than a minute.",
      "questions": {
        "agent": "Please rate the agent from one to five, where five is excellent.",
        "nps": "How likely are you to recommend us to a friend? Press a number from zero to ten, then the hash key."
      },
      "invalid": "That is not one of the options. Please try again.",
      "thanks": "Thank you for your answers! Goodbye."
    },
    "ru": {
      "greeting": "Здравствуйте! Вам звонит служба поддержки. Пожалуйста, ответьте на два коротких вопроса.",
      "intro": "Пожалуйста, оцените наш разговор. Это займёт меньше минуты.",
      "questions": {
        "agent": "Оцените работу оператора от одного до пяти, где пять — отлично.",
        "nps": "Насколько вероятно, что вы порекомендуете нас знакомым? Нажмите число от нуля до десяти, затем решётку."
      },
      "invalid": "Такого варианта нет. Попробуйте ещё раз.",
      "thanks": "Спасибо за ваши ответы! До свидания."
    }
  },
  "timeout_seconds": 5,
  "inter_digit_seconds": 2,
  "retries": 1,
  "low_score": 2
}
'::jsonb, updated_at = now()
WHERE is_default AND name = 'After-call satisfaction' AND NOT definition ? 'texts'
  AND definition -> 'intro' = '["sound:hello-world"]'::jsonb
  AND definition -> 'thanks' = '["sound:auth-thankyou", "sound:vm-goodbye"]'::jsonb
  AND definition #>> '{questions,0,prompt,1}' = 'digits:15';

-- +goose Down
UPDATE survey_definitions SET definition = '{
  "name": "After-call satisfaction", "language": "en", "default": true,
  "intro": ["sound:hello-world"],
  "questions": [
    {"key": "agent", "text": "How satisfied are you with the agent? 1 to 5", "prompt": ["sound:beep", "digits:15"], "min": 1, "max": 5, "required": true},
    {"key": "nps", "text": "How likely are you to recommend us? 0 to 10", "prompt": ["sound:beep", "digits:010"], "min": 0, "max": 10, "required": false}
  ],
  "thanks": ["sound:auth-thankyou", "sound:vm-goodbye"],
  "invalid": ["sound:option-is-invalid"],
  "timeout_seconds": 5, "inter_digit_seconds": 2, "retries": 1, "low_score": 2
}'::jsonb, updated_at = now()
WHERE is_default AND name = 'After-call satisfaction'
  AND definition = '
{
  "name": "After-call satisfaction",
  "language": "ru",
  "default": true,
  "questions": [
    {
      "key": "agent",
      "text": "Оценка оператора, 1–5",
      "prompt": [
        "sound:beep"
      ],
      "min": 1,
      "max": 5,
      "required": true
    },
    {
      "key": "nps",
      "text": "Готовность рекомендовать, 0–10",
      "prompt": [
        "sound:beep"
      ],
      "max": 10
    }
  ],
  "texts": {
    "en": {
      "greeting": "Hello! This is the support team calling. Please answer two short questions.",
      "intro": "Please rate our conversation. It takes less than a minute.",
      "questions": {
        "agent": "Please rate the agent from one to five, where five is excellent.",
        "nps": "How likely are you to recommend us to a friend? Press a number from zero to ten, then the hash key."
      },
      "invalid": "That is not one of the options. Please try again.",
      "thanks": "Thank you for your answers! Goodbye."
    },
    "ru": {
      "greeting": "Здравствуйте! Вам звонит служба поддержки. Пожалуйста, ответьте на два коротких вопроса.",
      "intro": "Пожалуйста, оцените наш разговор. Это займёт меньше минуты.",
      "questions": {
        "agent": "Оцените работу оператора от одного до пяти, где пять — отлично.",
        "nps": "Насколько вероятно, что вы порекомендуете нас знакомым? Нажмите число от нуля до десяти, затем решётку."
      },
      "invalid": "Такого варианта нет. Попробуйте ещё раз.",
      "thanks": "Спасибо за ваши ответы! До свидания."
    }
  },
  "timeout_seconds": 5,
  "inter_digit_seconds": 2,
  "retries": 1,
  "low_score": 2
}
'::jsonb;
