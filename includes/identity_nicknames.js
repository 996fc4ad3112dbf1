/**
 * Given names people use for each other (nickname → formal name), for the probabilistic
 * comparison of given names (a nickname pair agrees at the "nickname" level). Common English and
 * German short forms; names are written as includes/identity.js normalizes them (ASCII letters,
 * lower case). A name that is both a nickname and a formal name keeps its formal meaning.
 */
const NICKNAMES = {
  abigail: ["abby", "abbie", "gail"],
  alexander: ["alex", "alec", "sandy", "xander", "sasha", "alexandr"],
  alexandra: ["alex", "sandra", "sasha", "lexi", "alexa"],
  alfred: ["alf", "fred", "freddie"],
  andrew: ["andy", "drew"],
  andreas: ["andi", "andy"],
  anthony: ["tony", "ant"],
  barbara: ["barb", "babs", "barbie"],
  benjamin: ["ben", "benji", "benny"],
  catherine: ["cathy", "cat", "kate", "katie", "kathy", "cate"],
  katherine: ["kathy", "kate", "katie", "kat", "kay", "kitty"],
  charles: ["charlie", "chuck", "chas", "chaz"],
  christina: ["chris", "tina", "chrissy", "kristina"],
  christine: ["chris", "tina", "chrissy"],
  christopher: ["chris", "kit", "topher", "christoph"],
  daniel: ["dan", "danny", "dani"],
  david: ["dave", "davy", "davey"],
  deborah: ["deb", "debbie", "debby"],
  donald: ["don", "donnie"],
  dorothy: ["dot", "dottie", "dolly"],
  edward: ["ed", "eddie", "ted", "teddy", "ned"],
  elizabeth: ["liz", "lizzie", "beth", "betty", "eliza", "libby", "lisa", "elisa", "betsy", "bess"],
  emily: ["em", "emmy", "millie"],
  frances: ["fran", "frankie", "fanny"],
  francis: ["frank", "fran"],
  frederick: ["fred", "freddy", "freddie", "fritz"],
  friedrich: ["fritz", "fred"],
  gabriel: ["gabe"],
  gerald: ["gerry", "jerry"],
  gregory: ["greg"],
  harold: ["harry", "hal"],
  henry: ["hank", "harry", "hal"],
  jacob: ["jake", "jack"],
  james: ["jim", "jimmy", "jamie", "jem"],
  jennifer: ["jen", "jenny", "jenn"],
  jessica: ["jess", "jessie"],
  johann: ["hans", "jo"],
  johannes: ["hans", "jo", "jojo"],
  john: ["johnny", "jack", "jon"],
  jonathan: ["jon", "jonny", "nathan"],
  joseph: ["joe", "joey", "jo", "sepp"],
  joshua: ["josh"],
  judith: ["judy", "jude"],
  katharina: ["kathi", "kati", "katja", "tina"],
  kenneth: ["ken", "kenny"],
  lawrence: ["larry", "laurie"],
  leonard: ["leo", "len", "lenny"],
  madeline: ["maddie", "maddy"],
  margaret: ["maggie", "meg", "peggy", "marge", "margie", "greta", "rita"],
  matthew: ["matt", "matty"],
  matthias: ["matze", "matti"],
  michael: ["mike", "mikey", "mick", "micky", "michi"],
  nathaniel: ["nate", "nathan", "nat"],
  nicholas: ["nick", "nicky", "nico", "klaus"],
  nikolaus: ["nico", "niko", "klaus"],
  pamela: ["pam"],
  patricia: ["pat", "patty", "tricia", "trish"],
  patrick: ["pat", "paddy"],
  peter: ["pete"],
  philip: ["phil", "pip"],
  rebecca: ["becky", "becca", "becks"],
  richard: ["rick", "ricky", "rich", "dick", "richie"],
  robert: ["rob", "bob", "bobby", "robbie", "bert"],
  ronald: ["ron", "ronnie"],
  samantha: ["sam", "sammy"],
  samuel: ["sam", "sammy"],
  sebastian: ["seb", "basti"],
  stephanie: ["steph", "stephie"],
  stephen: ["steve", "stevie"],
  steven: ["steve", "stevie"],
  susan: ["sue", "susie", "suzy"],
  susanne: ["susi", "sanne"],
  theodore: ["theo", "ted", "teddy"],
  thomas: ["tom", "tommy", "thom"],
  timothy: ["tim", "timmy"],
  victoria: ["vicky", "tori", "vic"],
  vincent: ["vince", "vinny"],
  walter: ["walt", "wally"],
  william: ["will", "bill", "billy", "willy", "liam"],
  wolfgang: ["wolf", "wolfi"],
  zachary: ["zach", "zack"],
};

/**
 * Pairs of given names that name the same person (a formal name and one of its nicknames, or two
 * nicknames of one formal name), in both orders, as `SELECT name_a, name_b UNION ALL …`: a small
 * inline table both engines read alike. A nickname of several formal names ("chris") pairs with
 * each of them.
 */
function nicknamePairs() {
  const pairs = new Set();
  for (const [formal, nicks] of Object.entries(NICKNAMES)) {
    const names = [formal, ...nicks];
    for (const a of names) for (const b of names) if (a !== b) pairs.add(`${a}|${b}`);
  }
  return [...pairs]
    .sort()
    .map((pair) => {
      const [a, b] = pair.split("|");
      return `SELECT '${a}' AS name_a, '${b}' AS name_b`;
    })
    .join("\n  UNION ALL ");
}

module.exports = { NICKNAMES, nicknamePairs };
