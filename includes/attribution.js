/**
 * Multi-touch attribution settings and the five models' credit formulas, shared by
 * analytics/attribution_credits and the reports. Each model gives every touch of a deal a share
 * of 1; a deal's shares add up to 1 in every model (a test and an assertion check it).
 */
function setting(name, fallback) {
  const value = Number((dataform.projectConfig.vars || {})[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function lookbackDays() {
  const days = setting("attribution_lookback_days", 180);
  if (!Number.isInteger(days)) throw new Error("attribution_lookback_days must be whole days");
  return days;
}

const halfLifeDays = () => setting("attribution_half_life_days", 30);
const emailCostPerMessage = () => setting("email_cost_per_message", 0.002);
const webinarCostPerAttendee = () => setting("webinar_cost_per_attendee", 25);

/**
 * The identity node type a GA4 session's user_id names (var ga4_user_id_type): the site's login
 * id; a Shopify storefront sets it to the customer id (default shopify_customer_id).
 */
function ga4UserIdType() {
  const value = String(
    (dataform.projectConfig.vars || {}).ga4_user_id_type ?? "shopify_customer_id",
  );
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(value))
    throw new Error(
      `ga4_user_id_type must be an identity node type such as shopify_customer_id; got "${value}"`,
    );
  return value;
}

/** UTM mediums of paid clicks (lower-cased): a session with one of them and an ad source is an ad click. */
const PAID_MEDIUMS =
  "('cpc', 'ppc', 'paid', 'paidsearch', 'paid_search', 'paid_social', 'paidsocial', 'social_paid', 'paid-social', 'display')";
/** UTM sources of Meta's apps. */
const META_SOURCES = "('facebook', 'fb', 'instagram', 'ig', 'meta', 'messenger', 'an')";

const MODELS = ["first_touch", "last_touch", "linear", "time_decay", "position_based"];

/**
 * Credit of a touch in each model, from its position (`touch_number` of `touches`, in time
 * order) and its time-decay weight (`decay_weight` of the deal's `decay_total`):
 * - first_touch / last_touch: all to the first / last touch;
 * - linear: 1 / touches each;
 * - time_decay: weight 0.5^(days before the close / half-life), normalised over the deal;
 * - position_based (U-shaped, 40/20/40): 40 % first, 40 % last, 20 % shared by the touches in
 *   between; one touch gets 100 %, two touches 50 % each.
 */
function creditColumns() {
  return `CASE WHEN touch_number = 1 THEN 1.0 ELSE 0.0 END AS credit_first_touch,
    CASE WHEN touch_number = touches THEN 1.0 ELSE 0.0 END AS credit_last_touch,
    1.0 / touches AS credit_linear,
    decay_weight / decay_total AS credit_time_decay,
    CASE
      WHEN touches = 1 THEN 1.0
      WHEN touches = 2 THEN 0.5
      WHEN touch_number = 1 OR touch_number = touches THEN 0.4
      ELSE 0.2 / (touches - 2)
    END AS credit_position_based`;
}

module.exports = {
  MODELS,
  lookbackDays,
  halfLifeDays,
  emailCostPerMessage,
  webinarCostPerAttendee,
  ga4UserIdType,
  PAID_MEDIUMS,
  META_SOURCES,
  creditColumns,
};
