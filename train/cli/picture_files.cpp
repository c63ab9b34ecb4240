// --png and --svg.
#include "train/cli/picture_files.h"

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "checkpoints/replaced_file.h"

namespace heed::cli {

po::options_description picture_options() {
  po::options_description o("Pictures (at least one)");
  o.add_options()("png", po::value<std::string>(), "write the picture as a PNG file (named .png, or without an extension)")(
      "svg", po::value<std::string>(), "write the picture as an SVG file (vector graphics, for papers and zooming; named .svg)");
  return o;
}

PictureFiles::PictureFiles(const po::variables_map& vm, const std::vector<NamedFile>& inputs) {
  std::vector<std::pair<std::string, pictures::ImageFile>> by_option;
  for (const auto& [option, format] : {std::pair{"png", pictures::ImageFormat::Png}, std::pair{"svg", pictures::ImageFormat::Svg}})
    if (vm.count(option)) {
      const std::string path = vm[option].as<std::string>();
      named_.push_back({std::string("--") + option, path});
      targets_.push_back({replaced_file(path), format});
      by_option.emplace_back(named_.back().option, pictures::ImageFile{path, format});
    }
  if (named_.empty()) throw UsageError("--png or --svg: name the file to draw into");
  try {
    pictures::check_image_files(by_option);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  for (const NamedFile& file : named_) check_replaceable(file);
  check_distinct(named_, inputs);
}

namespace {

// Each picture's .tmp file: what draw() writes.
std::vector<pictures::ImageFile> staged(const std::vector<pictures::ImageFile>& targets) {
  std::vector<pictures::ImageFile> files = targets;
  for (pictures::ImageFile& f : files) f.path += ".tmp";
  return files;
}

void remove_all(const std::vector<pictures::ImageFile>& files) {
  for (const pictures::ImageFile& f : files) {
    std::error_code ec;
    std::filesystem::remove(f.path, ec);
  }
}

}  // namespace

void PictureFiles::write(const std::function<void(const std::vector<pictures::ImageFile>&)>& draw) const {
  const std::vector<pictures::ImageFile> tmp = staged(targets_);
  // Which file failed, as the user named it: draw's errors name the .tmp file ("X.tmp: cannot write (...)").
  auto failed = [&](const std::string& what) {
    remove_all(tmp);
    std::string message = what;
    for (std::size_t i = 0; i < tmp.size(); ++i)
      if (message.starts_with(tmp[i].path + ":")) message = named_[i].option + " " + named_[i].path + message.substr(tmp[i].path.size());
    const bool several = named_.size() > 1;
    return std::runtime_error(message + (several ? "; none of the pictures was written" : "; the picture was not written"));
  };
  try {
    draw(tmp);
  } catch (const std::runtime_error& e) {
    throw failed(e.what());
  } catch (...) {
    remove_all(tmp);
    throw;
  }
  for (std::size_t i = 0; i < tmp.size(); ++i) {
    std::error_code ec;
    std::filesystem::rename(tmp[i].path, targets_[i].path, ec);
    if (ec) {  // beside its file, on the same file system: only a directory changed under us fails here
      remove_all(tmp);
      throw std::runtime_error(named_[i].option + " " + named_[i].path + ": cannot rename " + tmp[i].path +
                               " into place (" + ec.message() + ")" + (i > 0 ? "; the pictures before it were written" : ""));
    }
  }
}

void report_written(const PictureFiles& files, std::size_t panels) {
  for (const NamedFile& f : files.named())
    std::cout << "wrote " << f.path << " (" << panels << (panels == 1 ? " panel)\n" : " panels)\n");
}

void require_pictures() {
  if (!pictures::pictures_available()) throw std::runtime_error(pictures::pictures_unavailable());
}

}  // namespace heed::cli
