// The learner's own folder, named like Express: require('express') does not load it.
console.log('LEARNER-HOOK-RAN');
process.exit(3);
