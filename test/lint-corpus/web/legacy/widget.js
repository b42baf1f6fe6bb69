// legacy widget, ships to old browsers
var MODEL = "text-davinci-003";
var EMBED = 'text-embedding-ada-002';
module.exports = { MODEL: MODEL, EMBED: EMBED, name: 'gpt-tokenizer' };
