/**
 * B2B accounts (marts.dim_accounts): HubSpot companies, plus one account per corporate email
 * domain that no company claims. A domain of a mailbox provider names no organization, so those
 * domains never make an account (FREE_MAIL_DOMAINS).
 */

/**
 * Domains of free and consumer mailbox providers (lower-case, exact match after normalization).
 * The most common ones worldwide and in the markets the demo sells to; extend as needed.
 */
const FREE_MAIL_DOMAINS = [
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "yahoo.co.uk",
  "yahoo.de",
  "yahoo.fr",
  "ymail.com",
  "rocketmail.com",
  "hotmail.com",
  "hotmail.co.uk",
  "hotmail.de",
  "hotmail.fr",
  "outlook.com",
  "outlook.de",
  "live.com",
  "live.de",
  "msn.com",
  "aol.com",
  "aol.de",
  "icloud.com",
  "me.com",
  "mac.com",
  "proton.me",
  "protonmail.com",
  "pm.me",
  "tutanota.com",
  "tuta.io",
  "gmx.de",
  "gmx.net",
  "gmx.at",
  "gmx.ch",
  "gmx.com",
  "web.de",
  "t-online.de",
  "freenet.de",
  "posteo.de",
  "mailbox.org",
  "arcor.de",
  "mail.de",
  "mail.com",
  "email.com",
  "zoho.com",
  "yandex.com",
  "yandex.ru",
  "mail.ru",
  "qq.com",
  "163.com",
  "126.com",
  "naver.com",
  "orange.fr",
  "free.fr",
  "laposte.net",
  "libero.it",
  "virgilio.it",
  "btinternet.com",
  "sky.com",
  "comcast.net",
  "verizon.net",
  "att.net",
  "bluewin.ch",
  "seznam.cz",
  "wp.pl",
  "o2.pl",
  "interia.pl",
  "fastmail.com",
  "hey.com",
];

/** A website or email domain as accounts compare it: lower-case, no scheme, `www.`, path or port. */
function normalizeDomain(expr) {
  const lowered = `LOWER(TRIM(${expr}))`;
  const noScheme = dialect.regexpReplaceAll(lowered, "^[a-z]+://", "");
  const noWww = dialect.regexpReplaceAll(noScheme, "^www[.]", "");
  return `NULLIF(${dialect.regexpReplaceAll(noWww, "[/:?#].*$", "")}, '')`;
}

/** TRUE when a normalized domain may name an organization (not a mailbox provider). */
function isCorporateDomain(domainExpr) {
  return `(${domainExpr} IS NOT NULL AND ${domainExpr} NOT IN (${identity.sqlList(FREE_MAIL_DOMAINS)}))`;
}

module.exports = { FREE_MAIL_DOMAINS, normalizeDomain, isCorporateDomain };
