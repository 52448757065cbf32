// The build step, run by `pnpm run stamp` from the build script: pnpm must be there in the build stage too.
require("fs").writeFileSync("stamp.txt", "built by pnpm run\n");
