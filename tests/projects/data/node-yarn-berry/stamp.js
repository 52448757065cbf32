// Run by the build script through `yarn stamp`: the build stage must have yarn 4 to run it.
require('fs').writeFileSync('stamp.txt', `stamped by ${process.env.npm_config_user_agent.split(' ')[0]}\n`);
